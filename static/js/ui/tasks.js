// The enumerator's tasks (核查任务) on the phone, offline: each department warning to verify
// with its last day, the department and what happened, and a short verification form
// (result, reason, note, an optional photo) whose result waits in the store until sync
// sends it, after its photo (sync/tasks.js). A risk found offers the household's census form.
import { element } from "./dom.js";
import { downscale, MAX_BYTES } from "./attachments.js";
import { sha256Hex } from "../sync/engine.js";
import { queueResult } from "../sync/tasks.js";
import { visitSection } from "./visits.js";
import { auditSection } from "./audits.js";

const RESULTS = [["no_risk", "无风险"], ["risk_found", "发现风险"], ["not_found", "查无此人"], ["moved", "已迁出"]];

// The sections to show above the household list, one per kind of task (visits: ui/visits.js,
// audits: ui/audits.js); ``changed`` redraws the screen.
export async function taskSection(store, context) {
  const tasks = await store.getMeta("tasks", []);
  const ofKind = (kind) => tasks.filter((task) => task.kind === kind);
  const sections = [await verificationSection(store, ofKind("verify_warning"), context),
    await visitSection(store, ofKind("visit"), context), await auditSection(store, ofKind("audit"), context)];
  const shown = sections.filter(Boolean);
  return shown.length ? element("div", { class: "task-sections" }, ...shown) : null;
}

async function verificationSection(store, tasks, { t, openHousehold, sync, changed }) {
  const waiting = new Map((await store.getMeta("taskResults", [])).map((item) => [item.payload.task_id, item]));
  if (!tasks.length && !waiting.size) return null;
  const items = tasks.map((task) => taskItem(task, waiting.get(task.id), { t, store, openHousehold, sync, changed }));
  return element("section", { class: "tasks", "aria-labelledby": "tasks-title" },
    element("h2", { id: "tasks-title", text: t("核查任务") }),
    element("ul", { class: "task-list" }, ...items));
}

function taskItem(task, sent, { t, store, openHousehold, sync, changed }) {
  const details = task.details ?? {};
  const warnings = (details.warnings ?? []).map((w) => element("li", {
    text: [w.date, w.reason, w.amount ? t("%(amount)s 元", { amount: w.amount }) : null, w.note || null].filter(Boolean).join(" · "),
  }));
  const item = element("li", { class: "task", "data-task": task.id },
    element("strong", { text: task.title }), " ",
    element("span", { class: "muted", text: `${details.household_number ?? ""} · ${details.department ?? ""}` }),
    element("p", {}, element("span", { text: t("办理期限：%(date)s", { date: task.due }) }), " ",
      task.overdue ? element("mark", { text: t("已超期") }) : null),
    element("ul", { class: "warnings" }, ...warnings),
    details.note ? element("p", { text: details.note }) : null);  // a risk found on a visit
  if (sent && !sent.invalid) {
    item.append(element("p", { class: "badge badge-outbox", text: t("已登记，待发送") }));
    if (sent.payload.result === "risk_found") item.append(censusButton(task, { t, openHousehold }));
    return item;
  }
  item.append(verificationForm(task, sent, { t, store, openHousehold, sync, changed }));
  return item;
}

function censusButton(task, { t, openHousehold }) {
  const button = element("button", { type: "button", class: "primary", text: t("打开该户普查表") });
  button.addEventListener("click", () => openHousehold(task.household_id));
  return button;
}

function verificationForm(task, sent, { t, store, sync, changed }) {
  const key = task.id.replace(/\W/g, "-");
  const result = element("select", { id: `${key}-result`, name: "result", required: true },
    ...RESULTS.map(([value, label]) => element("option", { value, text: t(label) })));
  const reason = element("textarea", { id: `${key}-reason`, name: "reason", rows: 2 });
  const note = element("textarea", { id: `${key}-note`, name: "note", rows: 2 });
  if (sent) {
    result.value = sent.payload.result;
    reason.value = sent.payload.reason ?? "";
    note.value = sent.payload.note ?? "";
  }
  const photo = photoField(key, sent, { t, store });
  const form = element("form", { class: "verification" },
    sent?.invalid ? element("p", { class: "flash flash-error", text: t("服务器拒收：%(message)s", { message: sent.invalid }) }) : null,
    element("div", { class: "field" }, element("label", { for: result.id, text: t("核查结果") }), result),
    element("div", { class: "field" }, element("label", { for: reason.id, text: t("理由") }), reason),
    element("div", { class: "field" }, element("label", { for: note.id, text: t("情况说明") }), note),
    photo.field,
    element("button", { type: "submit", class: "primary", text: t("保存，待发送") }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = await photo.chosen();
    if (chosen === undefined) return;  // the photo could not be read: its sentence is shown
    const fields = { result: result.value, reason: reason.value, note: note.value };
    if (photo.kept()) fields.photo_sha256 = photo.kept();
    await queueResult(store, task, fields, undefined, chosen);
    await changed();
    sync();
  });
  return element("details", {}, element("summary", { text: t("登记核查结果") }), form);
}

// 核查照片 (optional): one photo from the camera, downscaled as the census form's are. A result
// being corrected keeps the photo it had unless another is chosen or it is removed.
function photoField(key, sent, { t, store }) {
  const input = element("input", { type: "file", id: `${key}-photo`, name: "photo", accept: "image/*", capture: "environment" });
  const message = element("p", { class: "issue", role: "status" });
  let kept = sent?.payload.photo_sha256 ?? null;
  const field = element("div", { class: "field" }, element("label", { for: input.id, text: t("核查照片（可选）") }), input, message);
  if (kept) {
    const remove = element("button", { type: "button", class: "danger", text: t("删除照片") });
    const figure = element("figure", { class: "attachment" }, element("figcaption", { text: t("已附照片") }), remove);
    remove.addEventListener("click", () => { kept = null; figure.remove(); });
    store.getFile(kept).then((file) => {
      if (!file?.blob) return;
      const image = element("img", { src: URL.createObjectURL(file.blob), alt: t("核查照片") });
      image.addEventListener("load", () => URL.revokeObjectURL(image.src));
      figure.prepend(image);
    });
    field.append(figure);
  }
  return {
    field,
    kept: () => (input.files[0] ? null : kept),
    // The photo to queue: null without a new one, undefined when it cannot be used.
    async chosen() {
      const file = input.files[0];
      if (!file) return null;
      let blob;
      try {
        blob = await downscale(file);
      } catch {
        message.textContent = t("无法读取这张照片，请换一张。");
        return undefined;
      }
      if (blob.size > MAX_BYTES) {
        message.textContent = t("文件太大（超过 5 MB），无法保存。");
        return undefined;
      }
      return { sha256: await sha256Hex(blob), blob, size: blob.size, content_type: blob.type };
    },
  };
}
