// Sample audits on the phone (抽样审核复核), offline: each household given to this auditor, and
// its audit copy — the app's own census form, started from the roster the task brought, kept
// apart from the household's record (sync/audits.js) and sent when finished. The server
// compares it with the original and answers consistent or discrepancy.
import { element } from "./dom.js";
import { auditCopy, KEY, saveCopy } from "../sync/audits.js";

export const AUDIT_ROUTE = /^#\/audit\/(\d+)$/;

const OUTCOMES = { consistent: "复核一致", discrepancy: "复核发现不一致" };

export async function auditSection(store, tasks, { t }) {
  const copies = new Map((await store.getMeta(KEY, [])).map((copy) => [copy.sample_id, copy]));
  const sent = [...copies.values()].filter((copy) => copy.state === "sent"
    && !tasks.some((task) => task.details?.sample_id === copy.sample_id));
  if (!tasks.length && !sent.length) return null;
  const items = tasks.map((task) => {
    const details = task.details ?? {};
    const copy = copies.get(details.sample_id);
    const state = { draft: t("草稿"), outbox: t("待发送"), sent: t("已发送"), invalid: t("被拒收") }[copy?.state];
    return element("li", { class: "task", "data-task": task.id },
      element("strong", { text: task.title }), " ",
      element("span", { class: "muted", text: [details.household_number, details.village].filter(Boolean).join(" · ") }),
      element("p", {}, element("span", { text: t("办理期限：%(date)s", { date: task.due }) }), " ",
        state ? element("span", { class: `badge badge-${copy.state}`, text: state }) : null),
      copy?.state === "invalid" ? element("p", { class: "flash flash-error", text: t("服务器拒收：%(message)s", { message: copy.message }) }) : null,
      element("a", { class: "button primary", href: `#/audit/${details.sample_id}`,
        text: copy ? t("继续填写复核表") : t("填写复核表") }));
  });
  // What the server found, until the task list no longer holds the household.
  items.push(...sent.map((copy) => element("li", { class: "task" },
    element("strong", { text: copy.title ?? "" }), " ",
    element("span", { class: `badge ${copy.outcome === "discrepancy" ? "badge-returned" : "badge-sent"}`,
      text: t(OUTCOMES[copy.outcome] ?? "已发送") }))));
  return element("section", { class: "tasks", "aria-labelledby": "audit-tasks-title" },
    element("h2", { id: "audit-tasks-title", text: t("抽样审核复核") }),
    element("ul", { class: "task-list" }, ...items));
}

// The audit copy's screen: the census form over the copy's answers, saved on every change,
// and "finish" putting it in the outbox. Returns the form (the app never redraws a form being
// filled in), or null when the phone has no such task.
export async function renderAuditCopy(view, task, bundle, { t, store, sync }) {
  const details = task?.details;
  if (!details) {
    view.replaceChildren(element("a", { href: "#/", class: "button", text: t("返回列表") }),
      element("p", { class: "flash", text: t("本机没有这项复核任务：请在有网络时同步。") }));
    return null;
  }
  const [stored, { CensusForm, blocking }] = await Promise.all([auditCopy(store, details.sample_id), import("./form.js")]);
  const copy = stored ?? { id: crypto.randomUUID(), sample_id: details.sample_id, task_id: task.id, title: task.title,
    household_id: task.household_id, form_version: details.form_version, answers: structuredClone(details.prefill),
    state: "draft" };
  if (copy.state === "sent") {  // the server has it; the phone keeps only what it found
    view.replaceChildren(element("a", { href: "#/", class: "button", text: t("返回列表") }),
      element("p", { class: "flash", text: t(OUTCOMES[copy.outcome] ?? "已发送") }));
    return null;
  }
  const readOnly = copy.state === "outbox";
  const container = element("fieldset", { class: "record-form", disabled: readOnly });
  const message = element("p", { class: "issue", role: "alert" });
  view.replaceChildren(element("a", { href: "#/", class: "button", text: t("返回列表") }),
    element("h1", { text: t("复核表：%(household)s", { household: task.title }) }),
    element("p", { class: "flash", text: t("这是抽样审核的复核表，单独保存，不会改动该户的普查记录。") }),
    copy.state === "invalid" ? element("p", { class: "flash flash-error", text: t("服务器拒收：%(message)s", { message: copy.message }) }) : null,
    container, message);
  let saving = Promise.resolve();
  const form = new CensusForm(container, bundle, copy.answers, {
    threshold: details.threshold ?? null, referenceDate: copy.answers.household?.visit_date ?? new Date().toISOString().slice(0, 10),
    showAllIssues: copy.state !== "draft",
    onChange: () => {
      if (copy.state === "invalid") copy.state = "draft";
      saving = saveCopy(store, copy);
      return saving;
    },
  });
  const drawn = form.render();
  if (!readOnly) {
    const finish = element("button", { type: "button", class: "primary", text: t("完成复核，放入待发送") });
    finish.addEventListener("click", async () => {
      await form.ready;
      form.showAllIssues = true;
      const unresolved = blocking(form.validateNow());
      if (unresolved.length) {
        message.textContent = t("还有 %(count)s 处需要处理，已标在对应的题目旁。", { count: unresolved.length });
        return;
      }
      await saving;
      // A copy the server refused goes again under a new id: the refusal may have been of its id.
      const replacing = copy.message ? copy.id : null;
      await saveCopy(store, { ...copy, id: replacing ? crypto.randomUUID() : copy.id, state: "outbox", message: null },
        replacing);
      location.hash = "#/";
      sync();
    });
    view.append(element("p", {}, finish));
  }
  await drawn;
  return form;
}
