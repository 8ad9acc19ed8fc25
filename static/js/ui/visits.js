// The visit log on the phone (走访记录), offline: the visit tasks per household (due this
// period, overdue from the last one) and a short form for a visit — date, kind, who was met,
// member changes, income change (with the per-capita income when known, read as integer fen),
// problems raised, the household's assistance measures followed up (each with its state; one
// only declared may be reported carried out, on a day that defaults to the visit's), a photo
// for a home visit and a risk found. A visit waits in the store (sync/visits.js) until the server has it; one it
// refused stays with the server's sentence, to be corrected.
import { element } from "./dom.js";
import { downscale, MAX_BYTES } from "./attachments.js";
import { sha256Hex } from "../sync/engine.js";
import { formatYuan, readYuan } from "../core/money.js";
import { queueVisit, waitingVisits } from "../sync/visits.js";

const KINDS = [["home_visit", "入户走访"], ["call", "电话联系"], ["wechat", "微信联系"]];
const INCOME_CHANGES = [["none", "无明显变化"], ["up", "增加"], ["down", "减少"]];
const WEEK_DAYS = 7;

// The phone's date, as the cadre reads it on the calendar (not UTC's).
export function localToday(now = new Date()) {
  const pad = (value) => String(value).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function daysBetween(first, last) {
  return Math.round((Date.parse(last) - Date.parse(first)) / 86_400_000);
}

// 走访任务: one entry per household with its duties, the visits waiting to be sent and the form.
export async function visitSection(store, tasks, context) {
  const { t } = context;
  const visits = await waitingVisits(store);
  const households = new Map();
  for (const task of tasks) {
    if (!households.has(task.household_id)) households.set(task.household_id, []);
    households.get(task.household_id).push(task);
  }
  // A visit still waiting whose duty is no longer listed (its period ended) stays in view.
  for (const visit of visits) if (!households.has(visit.household_id)) households.set(visit.household_id, []);
  if (!households.size) return null;
  const items = [];
  for (const [householdId, duties] of households) {
    const details = duties[0]?.details ?? {};
    const kinds = [...new Set(duties.flatMap((task) => task.details?.kinds ?? []))];
    items.push(element("li", { class: "task", "data-task": `visit:${householdId}` },
      element("ul", { class: "duties" }, ...duties.map((task) => dutyLine(task, t))),
      visitPanel({ household_id: householdId, household_number: details.household_number ?? "", kinds,
        measures: details.measures ?? [] }, visits, context)));
  }
  return element("section", { class: "tasks", "aria-labelledby": "visit-tasks-title" },
    element("h2", { id: "visit-tasks-title", text: t("走访任务") }),
    element("ul", { class: "task-list" }, ...items));
}

// A duty of the household: this period's visits done and still owed, "due this week" when its
// period ends within a week, and what the last period fell short by.
function dutyLine(task, t) {
  const details = task.details ?? {};
  const today = localToday();
  const notes = [];
  if (details.overdue) notes.push(element("mark", { text: t("已逾期：上期少走访 %(count)s 次", { count: details.overdue }) }));
  if (details.due && daysBetween(today, details.period_end) < WEEK_DAYS) {
    notes.push(element("span", { class: "badge badge-outbox", text: t("本周到期") }));
  }
  return element("li", { "data-duty": task.id },
    element("strong", { text: task.title }), " ",
    element("span", { class: "muted", text: details.household_number ?? "" }),
    element("p", {}, element("span", { text: t("本期 %(start)s 至 %(end)s：已走访 %(done)s 次，还需 %(due)s 次", {
      start: details.period_start, end: details.period_end, done: details.done, due: details.due }) }), " ", ...notes));
}

// The household's visits waiting on this phone and the form to record one; also shown on a
// monitored household's screen. ``household``: {household_id, household_number, kinds, measures}.
export function visitPanel(household, visits, context) {
  const { t } = context;
  const mine = visits.filter((visit) => visit.household_id === household.household_id);
  const lines = mine.map((visit) => visit.state === "invalid"
    ? element("li", {}, element("p", { class: "flash flash-error", text: t("服务器拒收：%(message)s", { message: visit.message }) }),
      visitForm(household, visit, context))
    : element("li", { "data-visit": visit.id }, element("p", {},
      element("span", { class: "badge badge-outbox", text: t("待发送") }), " ",
      element("span", { text: t("已登记走访：%(date)s，%(kind)s", { date: visit.visit_date,
        kind: t(KINDS.find(([value]) => value === visit.kind)?.[1] ?? "入户走访") }) })),
    visit.risk_found ? censusButton(household, context) : null));
  return element("div", { class: "visits" },
    lines.length ? element("ul", { class: "visit-list" }, ...lines) : null,
    element("details", {}, element("summary", { text: t("登记走访") }), visitForm(household, null, context)));
}

function censusButton(household, { t, openHousehold }) {
  const button = element("button", { type: "button", class: "primary", text: t("打开该户普查表") });
  button.addEventListener("click", () => openHousehold(household.household_id));
  return button;
}

function field(id, label, control) {
  return element("div", { class: "field" }, element("label", { for: id, text: label }), control);
}

function options(pairs, t) {
  return pairs.map(([value, label]) => element("option", { value, text: t(label) }));
}

// A new visit, or (``refused``) the one the server refused, to correct and send again.
function visitForm(household, refused, { t, store, sync, changed }) {
  const key = `visit-${household.household_id}${refused ? `-${refused.id.slice(0, 8)}` : ""}`;
  const today = localToday();
  const kinds = KINDS.filter(([value]) => !household.kinds.length || household.kinds.includes(value)
    || refused?.kind === value);
  const date = element("input", { id: `${key}-date`, type: "date", required: true, max: today });
  const kind = element("select", { id: `${key}-kind`, required: true }, ...options(kinds.length ? kinds : KINDS, t));
  const met = element("input", { id: `${key}-met`, type: "text", autocomplete: "off" });
  const members = element("textarea", { id: `${key}-members`, rows: 2 });
  const change = element("select", { id: `${key}-income-change` }, ...options(INCOME_CHANGES, t));
  const income = element("input", { id: `${key}-income`, type: "text", inputmode: "decimal", autocomplete: "off" });
  const problems = element("textarea", { id: `${key}-problems`, rows: 2 });
  const assistance = element("textarea", { id: `${key}-assistance`, rows: 2 });
  const risk = element("input", { id: `${key}-risk`, type: "checkbox" });
  const riskNote = element("textarea", { id: `${key}-risk-note`, rows: 2 });
  const measures = household.measures.map((measure) => measureChoice(measure, key, refused, today, t));
  date.value = refused?.visit_date ?? today;
  kind.value = refused?.kind ?? kind.options[0]?.value;
  met.value = refused?.met ?? "";
  members.value = refused?.member_changes ?? "";
  change.value = refused?.income_change ?? "none";
  income.value = refused?.per_capita_income ?? "";
  problems.value = refused?.problems ?? "";
  assistance.value = refused?.assistance ?? "";
  risk.checked = refused?.risk_found ?? false;
  riskNote.value = refused?.risk_note ?? "";
  let photo = refused?.photo ?? null;
  const photoState = element("p", { class: "muted", role: "status" });
  const photoInput = element("input", { id: `${key}-photo`, type: "file", accept: "image/*", capture: "environment" });
  const message = element("p", { class: "issue", role: "alert" });
  const photoField = field(photoInput.id, t("照片（入户走访）"), photoInput);
  const riskField = field(riskNote.id, t("风险情况"), riskNote);
  const showPhoto = () => {
    photoField.hidden = kind.value !== "home_visit";
    photoState.textContent = photo ? t("已添加照片（%(size)s KB）", { size: Math.ceil(photo.size / 1024) }) : "";
  };
  const showRisk = () => { riskField.hidden = !risk.checked; };
  date.addEventListener("change", () => { for (const item of measures) item.followVisitDate(date.value); });
  kind.addEventListener("change", showPhoto);
  risk.addEventListener("change", showRisk);
  photoInput.addEventListener("change", async () => {
    const file = photoInput.files[0];
    if (!file) return;
    try {
      const blob = await downscale(file);
      if (blob.size > MAX_BYTES) throw new RangeError("too large");
      const sha256 = await sha256Hex(blob);
      await store.putFile({ sha256, blob, size: blob.size, content_type: blob.type, uploaded: false });
      photo = { sha256, size: blob.size, content_type: blob.type };
      message.textContent = "";
    } catch {
      message.textContent = t("无法读取这张照片，请换一张。");
    }
    showPhoto();
  });
  showPhoto();
  showRisk();
  const form = element("form", { class: "visit-form", novalidate: true },
    field(date.id, t("走访日期"), date),
    field(kind.id, t("走访方式"), kind),
    field(met.id, t("见到的人"), met),
    field(members.id, t("家庭成员变化"), members),
    field(change.id, t("收入变化"), change),
    field(income.id, t("人均纯收入（元，已知时填写）"), income),
    field(problems.id, t("反映的问题"), problems),
    measures.length ? element("fieldset", { class: "measures" }, element("legend", { text: t("本次跟进的帮扶措施") }),
      ...measures.map((item) => item.element)) : null,
    field(assistance.id, t("帮扶措施落实情况"), assistance),
    photoField, photoState,
    element("div", { class: "field check" }, risk, element("label", { for: risk.id, text: t("发现风险") })),
    riskField, message,
    element("button", { type: "submit", class: "primary", text: t("保存走访，待发送") }));
  form.addEventListener("input", () => { message.textContent = ""; });  // what it said was of the answers before
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const problem = check({ date: date.value, today, income: income.value, risk: risk.checked, riskNote: riskNote.value });
    if (problem) {
      message.textContent = t(problem);
      return;
    }
    const followed = measures.filter((item) => item.box.checked);
    const carried = followed.filter((item) => item.done?.checked);
    let wrong = false;
    for (const item of carried) wrong = item.showProblem(checkCarriedOut({ on: item.on.value, today,
      declaredOn: item.measure.declared_on })) || wrong;
    if (wrong) {
      message.textContent = t("请改正落实日期。");
      return;
    }
    const fen = income.value.trim() ? readYuan(income.value).fen : null;
    if (photo && kind.value !== "home_visit") {  // only a home visit carries a photo
      await store.deleteFile(photo.sha256);
      photo = null;
    }
    await queueVisit(store, {
      household_id: household.household_id, visit_date: date.value, kind: kind.value, met: met.value.trim(),
      member_changes: members.value.trim(), income_change: change.value,
      per_capita_income: fen === null ? "" : formatYuan(fen), problems: problems.value.trim(),
      assistance: assistance.value.trim(),
      measure_ids: followed.map((item) => item.measure.id),
      carried_out: carried.map((item) => ({ measure_id: item.measure.id, on: item.on.value })),
      photo, risk_found: risk.checked, risk_note: risk.checked ? riskNote.value.trim() : "",
    }, { replacing: refused?.id ?? null });
    await changed();
    sync();
  });
  return form;
}

// One of the household's measures on the form: followed up on this visit (a box), with its
// state; one only declared can be reported carried out with its day, which is the visit's day
// until the cadre changes it. A refused visit brings back what it said, and the server's
// sentence beside the day it was about (``field``: "carried_out.<id>").
function measureChoice(measure, key, refused, today, t) {
  const id = `${key}-measure-${measure.id}`;
  const box = element("input", { id, type: "checkbox", value: String(measure.id) });
  box.checked = refused?.measure_ids?.includes(measure.id) ?? false;
  const state = measure.state === "carried_out"
    ? element("span", { class: "badge badge-sent", text: t("已落实：%(date)s", { date: measure.carried_out_on }) })
    : element("span", { class: "badge badge-outbox", text: t("已申报 %(date)s，尚未落实", { date: measure.declared_on ?? "" }) });
  const line = element("div", { class: "check" }, box, element("label", { for: id,
    text: [measure.type, measure.note].filter(Boolean).join(" · ") }), " ", state);
  const item = { measure, box, element: line, done: null, on: null, followVisitDate() {}, showProblem: () => false };
  if (measure.state !== "declared") return item;
  const sent = refused?.carried_out?.find((entry) => entry.measure_id === measure.id);
  const done = element("input", { id: `${id}-done`, type: "checkbox" });
  const on = element("input", { id: `${id}-on`, type: "date", max: today, min: measure.declared_on ?? "",
    "aria-describedby": `${id}-on-issue` });
  const issue = element("p", { class: "issue", role: "alert", id: `${id}-on-issue` });
  const say = (text) => {  // an empty alert is no alert: hidden until it says something
    issue.textContent = text;
    issue.hidden = !text;
  };
  const day = field(on.id, t("落实日期"), on);
  day.append(issue);
  done.checked = Boolean(sent);
  on.value = sent?.on ?? refused?.visit_date ?? today;
  let edited = Boolean(sent);
  const show = () => {
    day.hidden = !done.checked;
    if (done.checked) box.checked = true;  // carried out is followed up
  };
  done.addEventListener("change", show);
  on.addEventListener("input", () => { edited = true; say(""); });
  say(refused?.field === `carried_out.${measure.id}` ? refused.message : "");
  show();
  item.element = element("div", { class: "measure", "data-measure": String(measure.id) }, line,
    element("div", { class: "field check" }, done, element("label", { for: done.id, text: t("已落实") })), day);
  item.done = done;
  item.on = on;
  item.followVisitDate = (visitDate) => { if (!edited) on.value = visitDate; };
  item.showProblem = (problem) => {
    say(problem ? t(...problem) : "");
    return Boolean(problem);
  };
  return item;
}

// A carried-out day the server would refuse: [message id, params] or null.
export function checkCarriedOut({ on, declaredOn, today }) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(on)) return ["请填写落实日期。", {}];
  if (on > today) return ["日期不能晚于今天。", {}];
  if (declaredOn && on < declaredOn) return ["落实日期不能早于申报日期 %(date)s。", { date: declaredOn }];
  return null;
}

// What the phone can say before the server does (the server checks it all again); a message id or null.
export function check({ date, today, income, risk, riskNote }) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return "请填写走访日期。";
  if (date > today) return "走访日期不能晚于今天。";
  if (income.trim()) {
    const { fen } = readYuan(income);
    if (fen === null) return "人均纯收入应为以元计的金额。";
    if (fen < 0) return "人均纯收入不能为负数。";
  }
  if (risk && !riskNote.trim()) return "发现风险时请说明情况。";
  return null;
}
