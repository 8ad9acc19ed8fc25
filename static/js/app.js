// The offline app (/app): the enumerator's assigned households, their census records kept
// in IndexedDB, and sync. Works for days without a connection after one sign-in.
// What the list does not need is imported when it is first needed: the census form (with
// its engines) when a record opens, the search at the first word typed.
import { openStore } from "./store/db.js";
import * as journal from "./store/journal.js";
import { Api, SyncEngine } from "./sync/engine.js";
import { Attachments } from "./ui/attachments.js";
import { createMessages } from "./ui/messages.js";
import { formatYuan } from "./core/money.js";
import { formatMoment } from "./core/dates.js";
import { element } from "./ui/dom.js";
import { EDITABLE, FILTERS, arrange, countByFilter, statesByHousehold } from "./core/households.js";
import { taskSection } from "./ui/tasks.js";
import { storeTasks, syncTasks } from "./sync/tasks.js";
import { syncVisits, waitingVisits } from "./sync/visits.js";
import { syncAudits } from "./sync/audits.js";
import { visitPanel } from "./ui/visits.js";
import { AUDIT_ROUTE, renderAuditCopy } from "./ui/audits.js";

const RECORD_ROUTE = /^#\/record\/(.+)$/;
const HOUSEHOLD_ROUTE = /^#\/household\/(\d+)$/;
const PAGE_SIZE = 50;  // households drawn at a time; "show more" draws the next ones
const USER_KEY = "ruhu.user";

class App {
  // session, households, bundle, tasks: a very first start's requests, already sent (main).
  constructor(store, api, user, { session = null, households = null, bundle = null, tasks = null } = {}) {
    Object.assign(this, { store, api, user, session, householdsAsked: households, bundleAsked: bundle,
      tasksAsked: tasks });
    this.view = document.getElementById("view");
    this.status = document.getElementById("status");
    this.locale = user.locale || "zh_Hans";
    this.saving = Promise.resolve();  // the latest autosave
    this.pendingWorker = null;
    this.form = null;
    // Views are drawn after awaits, and a sync can end while a household opens: each
    // drawing takes a number and only the latest may touch the screen.
    this.drawing = 0;
    this.householdsVersion = 0;  // moves on after every sync: the list and its search index are rebuilt
    this.list = null;
    this.filter = "all";
    this.shown = PAGE_SIZE;
    // Settled once the list is drawn from what the phone has (or a first sync has ended
    // without one): the service worker's downloads wait for it on a very first open.
    this.settled = new Promise((resolve) => { this.settle = resolve; });
  }

  async start() {
    await this.replayJournal();
    this.campaign = await this.store.getMeta("campaign");
    // data-syncing: while a run is under way (tests wait for it before going offline).
    // Visits and audit copies go before the tasks are pulled, so the tasks pulled count them.
    this.engine = new SyncEngine(this.store, this.api, { onChange: () => this.afterSync(),
      onHouseholds: (campaign, households) => this.listArrived(campaign, households),
      hooks: [syncVisits, syncAudits, syncTasks], onBusy: (busy) => { document.body.dataset.syncing = String(busy); },
      onSession: (user) => this.signedIn(user), session: this.session, households: this.householdsAsked });
    this.bundleLoaded = this.loadBundle();
    // Never synced: nothing stored to draw, so the first sync goes along with the bundle's
    // download. Otherwise the stored list is drawn first and the sync follows.
    const first = !this.campaign;
    if (first) this.engine.run();
    await this.bundleLoaded;
    this.persisted = false;
    this.askForPersistentStorage().then((granted) => { this.persisted = granted; this.refreshStatus(); });
    addEventListener("hashchange", () => this.route());
    addEventListener("online", () => this.engine.run());
    addEventListener("offline", () => this.refreshStatus());
    document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") this.engine.run(); });
    await this.route();
    if (!first) {
      this.settle();
      this.engine.run();
    }
  }

  // The app started from the user stored on this phone; the server's answer at the start of
  // each sync says who is signed in. Another user, or another language: start again as them.
  signedIn(user) {
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    if (user.id !== this.user.id || user.locale !== this.user.locale) location.reload();
  }

  formVersion() {
    return this.campaign?.form_version ?? document.body.dataset.formVersion;
  }

  // The form definition and every sentence, in the user's language: IndexedDB first, then
  // the network (which the service worker answers from its precache when offline).
  async loadBundle() {
    const bundle = await this.bundleFor(this.formVersion());
    this.bundle = bundle;
    this.text = createMessages(bundle);
    this.t = this.text.t;
    this.listParts = null;  // the list's controls are made again in these words
    document.documentElement.lang = this.locale === "en" ? "en" : "zh-Hans";
    // The cached shell speaks the language it was first fetched in: its words follow the user's.
    for (const node of document.querySelectorAll("[data-text]")) {
      node.textContent = bundle.messages.shell?.[node.dataset.text] ?? node.textContent;  // a bundle stored by an older app has none
    }
  }

  async bundleFor(version) {
    let bundle = await this.store.getBundle(version, this.locale);
    if (!bundle) {
      const url = `/census/forms/${version}.json?locale=${this.locale}`;
      const asked = this.bundleAsked?.url === url ? this.bundleAsked.response : null;
      this.bundleAsked = null;
      const response = await (asked ?? fetch(url, { credentials: "same-origin" }));
      if (!response.ok) throw new Error(`bundle ${response.status}`);
      bundle = await response.json();
      await this.store.putBundle(version, this.locale, bundle);
    }
    return bundle;
  }

  async askForPersistentStorage() {
    if (!navigator.storage?.persist) return false;
    return (await navigator.storage.persisted()) || navigator.storage.persist();
  }

  async afterSync() {
    await this.bundleLoaded;  // a first sync may end before the bundle is in
    await this.campaignIs(await this.store.getMeta("campaign"));
    this.householdsVersion += 1;
    await this.refreshStatus();
    if (!this.form) await this.route();  // never redraw a form being filled in
    this.settle();
  }

  // The campaign the list belongs to, with the bundle of its form version.
  async campaignIs(campaign) {
    if (campaign && campaign.form_version !== this.campaign?.form_version) {
      this.campaign = campaign;
      await this.loadBundle();
    }
    this.campaign = campaign;
  }

  // A list just pulled: drawn from memory at once, while the sync stores it.
  async listArrived(campaign, households) {
    await this.bundleLoaded;
    await this.campaignIs(campaign);
    this.householdsVersion += 1;
    this.list = this.listOf(households, this.householdsVersion);
    if (!this.form) await this.route();
    this.settle();
  }

  // A very first open draws its tasks above the list together with it: asked beside the list
  // (main) and stored before the list is first drawn (renderList). Drawn after it, they pushed the list down under the
  // cadre's finger. The sync pulls them again as every run does.
  tasksArrived() {
    this.tasksStored ??= (async () => {
      if (!this.tasksAsked) return;
      try {
        await storeTasks(this.store, await this.tasksAsked);
      } catch {
        // Not answered: the sync's own pull says why.
      }
    })();
    return this.tasksStored;
  }

  // The list in household-number order, with what the search reads besides it (names, ID
  // numbers), read once the list is drawn; the search index is built at the first word typed.
  listOf(households, version) {
    households.sort((a, b) => a.household_number.localeCompare(b.household_number));
    return { version, households, index: null, rosters: null, rostersRead: null };
  }

  readRosters(list) {
    list.rostersRead ??= Promise.all([this.store.allRosters(), import("./core/search.js")])
      .then(([rosters, searching]) => { this.searching = searching; list.rosters = rosters; });
    return list.rostersRead;
  }

  async route() {
    const record = location.hash.match(RECORD_ROUTE);
    const household = location.hash.match(HOUSEHOLD_ROUTE);
    const audit = location.hash.match(AUDIT_ROUTE);
    if (record) await this.renderRecordById(decodeURIComponent(record[1]));
    else if (audit) await this.renderAudit(Number(audit[1]));
    else if (household) await this.renderHousehold(Number(household[1]));
    else await this.renderList();
    await this.refreshStatus();
  }

  async refreshStatus() {
    const t = this.t;
    const counts = await this.store.countsByState();
    const lastSync = await this.store.getMeta("lastSync");
    const state = this.engine?.state ?? {};
    const parts = [
      ["draft", t("草稿")], ["outbox", t("待发送")], ["sent", t("已发送")],
      ["returned", t("退回")], ["invalid", t("被拒收")], ["conflict", t("冲突")], ["done", t("已通过")],
    ].map(([key, label]) => element("span", { class: `count-${key}`, "data-count": key, text: `${label} ${counts[key]}` }));
    const sync = element("button", { type: "button", text: t("立即同步") });
    sync.addEventListener("click", () => this.engine.run());
    const notes = [];
    if (!navigator.onLine) notes.push(element("span", { class: "offline", text: t("离线") }));
    if (state.signedOut) {
      const { href, text } = state.signIn ?? { href: "/login?next=/app", text: t("登录已过期，请重新登录；未发送的记录都还在。") };
      notes.push(element("a", { href, class: "signed-out", text }));
    }
    if (state.lastError && !state.signedOut) notes.push(element("span", { text: t("同步失败，稍后自动重试。") }));
    notes.push(element("span", { class: "persist", text: this.persisted ? t("已开启持久存储") : t("未开启持久存储：手机空间不足时数据可能被清除") }));
    if (this.pendingWorker && !this.form) {
      const update = element("button", { type: "button", class: "primary", text: t("更新到新版本") });
      update.addEventListener("click", () => {
        this.updating = true;
        this.pendingWorker.postMessage({ type: "SKIP_WAITING" });
      });
      notes.push(element("span", { class: "update", text: `${t("有新版本。")} ` }, update));
    }
    // In the county's time zone (the bundle says which), as the office pages write a moment.
    const synced = lastSync ? formatMoment(lastSync, { locale: this.locale, timeZone: this.bundle?.time_zone ?? undefined })
      : t("从未同步");
    this.status.replaceChildren(
      element("p", { class: "counts" }, ...parts),
      element("p", { class: "sync" }, element("span", { "data-last-sync": lastSync ?? "", text: `${t("上次同步：")}${synced}` }), " ", sync),
      element("p", { class: "notes" }, ...notes),
    );
  }

  watchForUpdates(registration) {
    const offer = (worker) => { this.pendingWorker = worker; this.refreshStatus(); };
    const watch = (worker) => worker?.addEventListener("statechange", () => {
      if (worker.state === "installed" && navigator.serviceWorker.controller) offer(worker);
    });
    if (registration.waiting && navigator.serviceWorker.controller) offer(registration.waiting);
    watch(registration.installing);  // found by the registration's own check
    registration.addEventListener("updatefound", () => watch(registration.installing));
    addEventListener("online", () => registration.update().catch(() => {}));
    document.addEventListener("visibilitychange", () => registration.update().catch(() => {}));
    navigator.serviceWorker.addEventListener("controllerchange", () => { if (this.updating) location.reload(); });
  }

  // The list is drawn from the households in number order (listOf), read from the store
  // only when the list in hand is older than the last sync; so a long list shows at once.
  // Its controls (the search box, the filters) are made once and kept: a redraw after a sync
  // updates the counts and the households, never the box a cadre is typing in.
  async renderList() {
    const drawing = ++this.drawing;
    await this.tasksArrived();
    const version = this.householdsVersion;
    const households = this.list?.version === version ? null : await this.store.allHouseholds();
    const records = await this.store.allRecords();
    const tasks = await taskSection(this.store, this.taskContext(() => this.renderList()));
    if (drawing !== this.drawing) return;
    this.form = null;
    if (households && (this.list?.version ?? -1) < version) this.list = this.listOf(households, version);
    const list = this.list;
    const states = statesByHousehold(records);
    const counts = countByFilter(list.households, states);
    const parts = this.listParts ??= this.listControls();
    for (const button of parts.filters.children) {
      button.querySelector(".count").textContent = parts.number(counts[button.dataset.filter]);
    }
    parts.tasks.replaceChildren(...(tasks ? [tasks] : []));
    this.showList = () => this.showHouseholds(parts, list, states);
    this.showList();
    if (parts.heading.parentNode !== this.view) {
      this.view.replaceChildren(parts.tasks, parts.heading, parts.search, parts.filters, parts.summary, parts.results,
        parts.more);
    }
    setTimeout(() => this.readRosters(list));  // after the frame that shows the list
  }

  // The list's controls, made once: each calls the latest drawing's showList.
  listControls() {
    const t = this.t;
    const numbers = new Intl.NumberFormat(this.locale === "en" ? "en" : "zh-CN");
    const names = { all: t("全部"), returned: t("退回"), draft: t("草稿"), waiting: t("待审核"), done: t("已完成"),
      not_visited: t("未调查") };
    const input = element("input", { id: "household-search", type: "search", autocomplete: "off",
      placeholder: t("姓名、身份证号后几位、户编号或组") });
    const filters = element("div", { class: "filters", role: "group", "aria-label": t("按状态筛选") });
    for (const filter of FILTERS) {
      const button = element("button", { type: "button", "data-filter": filter },
        `${names[filter]} `, element("span", { class: "count" }));
      button.addEventListener("click", () => { this.filter = filter; this.shown = PAGE_SIZE; this.showList(); });
      filters.append(button);
    }
    const more = element("button", { type: "button", class: "more", text: t("显示更多") });
    input.addEventListener("input", () => { this.shown = PAGE_SIZE; this.showList(); });
    more.addEventListener("click", () => { this.shown += PAGE_SIZE; this.showList(); });
    return {
      input, filters, more, number: (value) => numbers.format(value),  // 1,200
      tasks: element("div"),
      heading: element("h1", { text: t("我的农户") }),
      search: element("div", { class: "field" }, element("label", { for: "household-search", text: t("搜索农户") }), input),
      summary: element("p", { class: "muted", role: "status" }),
      results: element("ul", { class: "household-list" }),
    };
  }

  // The households of the chosen filter that match what is typed, the first `shown` of them.
  showHouseholds(parts, list, states) {
    const t = this.t;
    const { input, filters, summary, results, more, number } = parts;
    const chosen = arrange(list.households, states, this.filter);
    let matches = chosen.slice(0, this.shown);
    let total = chosen.length;
    if (input.value.trim()) {
      if (!list.rosters) {
        this.readRosters(list).then(() => this.showList());
        return;
      }
      const { buildIndex, search } = this.searching;
      list.index ??= new Map(buildIndex(list.households, list.rosters).map((entry) => [entry.household.id, entry]));
      ({ matches, total } = search(chosen.map((household) => list.index.get(household.id)), input.value, this.shown));
    }
    summary.textContent = list.households.length
      ? t("共 %(total)s 户，显示 %(shown)s 户。", { total: number(total), shown: number(matches.length) })
      : t("还没有分配给您的农户：请在有网络时同步。");
    results.replaceChildren(...matches.map((household) => this.listItem(household, states.get(household.id))));
    more.hidden = matches.length >= total;
    for (const button of filters.children) button.setAttribute("aria-pressed", String(button.dataset.filter === this.filter));
  }

  // What the task screens need: the words, the store, a sync, a redraw and the way to a household's form.
  taskContext(changed) {
    return { t: this.t, store: this.store, sync: () => this.engine.run(), changed,
      openHousehold: (id) => { location.hash = `#/household/${id}`; } };
  }

  // 抽样审核复核: the audit copy of a task's household (ui/audits.js), in the form version it names.
  async renderAudit(sampleId) {
    const drawing = ++this.drawing;
    const task = (await this.store.getMeta("tasks", [])).find((candidate) => candidate.kind === "audit"
      && candidate.details?.sample_id === sampleId);
    const bundle = task ? await this.bundleFor(task.details.form_version ?? this.formVersion()) : this.bundle;
    if (drawing !== this.drawing) return;
    this.form = null;
    const form = await renderAuditCopy(this.view, task, bundle, { t: this.t, store: this.store, sync: () => this.engine.run() });
    if (drawing === this.drawing) this.form = form;
  }

  listItem(household, state) {
    const t = this.t;
    const labels = { draft: t("草稿"), outbox: t("待发送"), sent: t("已发送"), returned: t("退回"), invalid: t("被拒收"),
      conflict: t("冲突"), done: t("已通过"), recorded: t("已有记录") };
    const link = element("a", { class: "household", href: `#/household/${household.id}` },
      element("strong", { text: household.head_name ?? "" }), " ",
      element("span", { text: household.household_number }), " ",
      element("span", { class: "muted", text: [household.village, household.group].filter(Boolean).join(" · ") }),
      state ? element("span", { class: `badge badge-${state}`, text: labels[state] }) : null);
    return element("li", {}, link);
  }

  // One census record per household: the one in hand (to edit; else a copy the village has
  // still to decide on; else read-only once sent, done or recorded elsewhere); a new draft
  // only for a household the phone knows no record of, stored with its first answer.
  async renderHousehold(id) {
    const drawing = ++this.drawing;
    const household = await this.householdWithForm(id);
    const records = (await this.store.recordsOfHousehold(id))
      .sort((a, b) => (b.updated_at ?? "").localeCompare(a.updated_at ?? ""));
    if (drawing !== this.drawing) return;
    const record = records.find((r) => EDITABLE.includes(r.state)) ?? records.find((r) => r.state === "conflict")
      ?? records[0] ?? (household?.prefill && {
      id: crypto.randomUUID(), household_id: household.id, state: "draft", form_version: this.formVersion(),
      answers: structuredClone(household.prefill), attachments: [], created_at: new Date().toISOString(),
    });
    if (!household || !record || (record.answers && !household.prefill)) this.notOnThisPhone();
    else await this.renderRecord(record, household, drawing);
  }

  // The household, or the form a record needs (its roster, threshold, last year), is not stored.
  notOnThisPhone() {
    this.form = null;
    this.view.replaceChildren(element("a", { href: "#/", class: "button", text: this.t("返回列表") }),
      element("p", { class: "flash", text: this.t("本机还没有这户的资料：请在有网络时同步；如果同步后仍没有，说明该户没有分配给您。") }));
  }

  // A household opened before its form arrived in the background is fetched at once.
  async householdWithForm(id) {
    const household = await this.store.getHousehold(id);
    if (!household || household.prefill || !navigator.onLine) return household;
    try {
      await this.engine.pullFormsOf([id]);
    } catch {
      return household;  // signed out or no network after all: said below
    }
    return this.store.getHousehold(id);
  }

  async renderRecordById(id) {
    const drawing = ++this.drawing;
    const record = await this.store.getRecord(id);
    const household = record && await this.householdWithForm(record.household_id);
    if (drawing !== this.drawing) return;
    if (!record || !household) {
      location.hash = "#/";
      return;
    }
    if (record.answers && !household.prefill) this.notOnThisPhone();
    else await this.renderRecord(record, household, drawing);
  }

  async renderRecord(record, household, drawing) {
    const t = this.t;
    const readOnly = !EDITABLE.includes(record.state);
    if (!record.answers) {  // only a mark of a record made elsewhere: what the phone knows of it
      this.form = null;
      this.view.replaceChildren(element("a", { href: "#/", class: "button", text: t("返回列表") }),
        element("h1", { text: `${household.head_name ?? ""} · ${household.household_number}` }),
        ...this.recordNotes(record));
      return;
    }
    const container = element("fieldset", { class: "record-form", disabled: readOnly });
    const files = element("div");
    const message = element("p", { class: "issue", role: "alert" });
    const back = element("a", { href: "#/", class: "button", text: t("返回列表") });
    const heading = element("h1", { text: `${household.head_name ?? ""} · ${household.household_number}` });
    const notes = element("div", {}, ...this.recordNotes(record));
    const [visits, { CensusForm }] = await Promise.all([household.monitored ? this.visitCard(household) : null,
      import("./ui/form.js")]);
    if (drawing !== this.drawing) return;
    this.view.replaceChildren(back, heading, notes, ...(visits ? [visits] : []), container, files, message);
    this.form = new CensusForm(container, this.bundle, record.answers, {
      threshold: household.threshold ?? null,
      lastYearPerCapita: household.last_year?.per_capita_net_income ?? null,
      referenceDate: record.answers.household?.visit_date ?? new Date().toISOString().slice(0, 10),
      // A record already finished once shows every issue it has; a new one only those of
      // the fields touched, until it is finished.
      showAllIssues: record.state !== "draft",
      onChange: () => this.autosave(record),
    });
    const drawn = this.form.render();
    const attachments = new Attachments(files, { record, store: this.store, t, readOnly, onChange: () => this.autosave(record) });
    if (!readOnly) {
      const finish = element("button", { type: "button", class: "primary", text: t("完成，放入待发送") });
      finish.addEventListener("click", () => this.finish(record, message));
      this.view.append(element("p", {}, finish));
    }
    await drawn;
    if (drawing !== this.drawing) return;
    this.showComments(container, record.comments ?? [], notes);
    await attachments.render();
  }

  // 走访记录 from a monitored household's screen, with the measures its visit task brought.
  async visitCard(household) {
    const task = (await this.store.getMeta("tasks", [])).find((candidate) => candidate.kind === "visit"
      && candidate.household_id === household.id);
    const panel = visitPanel({ household_id: household.id, household_number: household.household_number, kinds: [],
      measures: task?.details?.measures ?? [] }, await waitingVisits(this.store), this.taskContext(() => this.route()));
    return element("section", { class: "card", "aria-labelledby": "visit-card-title" },
      element("h2", { id: "visit-card-title", text: this.t("走访记录") }), panel);
  }

  // What the phone says above a record: where it stands on the server.
  recordNotes(record) {
    const t = this.t;
    const notes = [];
    if (record.state === "sent") notes.push(element("p", { class: "flash", text: t("已发送，等待审核。") }));
    if (record.state === "done") {
      const income = record.per_capita_net_income ?? null;
      notes.push(element("p", { class: "flash", text: t("已通过审核（%(date)s），人均纯收入 %(income)s 元。如需修改，请联系乡镇重新打开。",
        { date: record.approved_on ?? "", income: income === null ? "—" : formatYuan(income) }) }));
    }
    if (record.state === "recorded") {
      notes.push(element("p", { class: "flash", text: t("该户本次普查已有记录（来自另一部手机或其他采集员），正在审核，不需要再次采集。") }));
    }
    if (record.state === "conflict") {
      notes.push(element("p", { class: "flash flash-error", text: record.conflict?.kind === "household_recorded"
        ? t("该户本次普查已有另一条记录（可能来自另一部手机）。这一份已原样保存在服务器上，由村里决定采用哪一份。")
        : t("服务器上已有不同内容的这份记录，两份都已保留，由审核人员处理。") }),
      element("ul", { class: "diff" }, ...(record.conflict?.diff ?? []).map((change) => element("li", {
        text: t("%(path)s：服务器上为“%(stored)s”，本机为“%(received)s”", change) }))));
    }
    for (const issue of record.issues ?? []) {
      const message = issue.message ?? issue.code;  // a fault on the server names no field
      notes.push(element("p", { class: "flash flash-error", text: issue.path
        ? t("服务器拒收：%(message)s（%(path)s）", { message, path: issue.path })
        : t("服务器拒收：%(message)s", { message }) }));
    }
    return notes;
  }

  // The reviewer's comments: each under its field, and all of them listed at the top, each
  // a button that takes the enumerator to its field.
  showComments(container, comments, summary) {
    if (!comments.length) return;
    const t = this.t;
    const list = element("ol", { class: "comment-list" });
    for (const comment of comments) {
      const wrapper = container.querySelector(`[data-wrapper="${CSS.escape(comment.path)}"]`);
      const line = element("p", { class: "review-comment", text: `${t("审核意见：")}${comment.text}` });
      const name = wrapper?.querySelector("label, legend")?.textContent;
      const text = name ? t("“%(field)s”的意见：%(comment)s", { field: name, comment: comment.text }) : comment.text;
      if (wrapper) {
        wrapper.append(line);
        const jump = element("button", { type: "button", class: "link", text });
        jump.addEventListener("click", () => this.form.focusField(comment.path));
        list.append(element("li", {}, jump));
      } else {
        list.append(element("li", { text }));
      }
    }
    summary.append(element("section", { class: "card comments", "aria-labelledby": "comments-title" },
      element("h2", { id: "comments-title", text: t("审核意见（%(count)s 条）", { count: comments.length }) }), list));
  }

  // Every change is journaled synchronously, then written to IndexedDB in the same task
  // (IndexedDB runs write transactions in the order they were opened): a reload or a
  // killed tab loses nothing that was typed.
  autosave(record) {
    if (record.state === "outbox") record.state = "draft";  // edited before it was sent
    this.journalCount = (this.journalCount ?? 0) + 1;
    const snapshot = { ...record, journaled_at: `${Date.now()}-${this.journalCount}` };
    journal.write(this.user.id, snapshot);
    this.saving = this.store.putRecord(snapshot).then(() => journal.settle(this.user.id, snapshot));
    this.saving.then(() => this.refreshStatus());
    return this.saving;
  }

  async replayJournal() {
    for (const record of journal.pending(this.user.id)) {
      const stored = await this.store.getRecord(record.id);
      if (!stored || EDITABLE.includes(stored.state)) await this.store.putRecord(record);  // never un-send a record
      journal.settle(this.user.id, record);
    }
  }

  async finish(record, message) {
    const { blocking } = await import("./ui/form.js");  // loaded with the form
    await this.form.ready;
    this.form.showAllIssues = true;
    const unresolved = blocking(this.form.validateNow());
    if (unresolved.length) {
      message.textContent = this.t("还有 %(count)s 处需要处理，已标在对应的题目旁。", { count: unresolved.length });
      document.querySelector(".field.has-error, .issue:not([hidden])")?.scrollIntoView({ block: "center" });
      return;
    }
    await this.saving;
    record.state = "outbox";
    record.issues = [];
    record.server_errors = 0;  // saved again: the server's fault gets its retries afresh
    record.form_version = this.formVersion();
    record.client_result = { income: this.form.income, screening: this.form.screening };
    await this.store.putRecord(record);
    this.form = null;
    location.hash = "#/";
    this.engine.run();
  }
}

// The service worker: registered once the app has drawn what it has, so that on a very first
// open its downloads (the whole app, twice the form bundle) do not stand before the list.
function registerWorker(notice) {
  return navigator.serviceWorker.register("/sw.js").catch(() => { notice("insecure"); return null; });
}

async function main() {
  const notice = (id) => { document.getElementById(id).hidden = false; };
  const worker = window.isSecureContext && "serviceWorker" in navigator;
  if (!window.isSecureContext) notice("insecure");
  const api = new Api();
  // A phone that was used before starts at once from the user it stored; the first sync
  // asks the server who is signed in (App.signedIn). Only a first start waits for it, and
  // asks for the households (without an ETag: nothing is stored yet) and the form bundle
  // beside it.
  let user = JSON.parse(localStorage.getItem(USER_KEY) ?? "null");
  let session = null;
  let households = null;
  let bundle = null;
  let tasks = null;
  if (!user && navigator.onLine) {
    households = api.request("GET", "/api/sync/households");
    households.catch(() => {});  // its failure is the first sync's, said there
    tasks = api.request("GET", "/api/sync/tasks");
    tasks.catch(() => {});
    // The form bundle in the shell's language, which is the user's (the app asks again if not).
    const locale = document.documentElement.lang === "en" ? "en" : "zh_Hans";
    const url = `/census/forms/${document.body.dataset.formVersion}.json?locale=${locale}`;
    bundle = { url, response: fetch(url, { credentials: "same-origin" }) };
    bundle.response.catch(() => {});  // a failure is the app's start's, said there
    try {
      session = await api.session();
      user = session.user;
      localStorage.setItem(USER_KEY, JSON.stringify(user));
    } catch {
      // Signed out, no network after all, or server trouble: sign in first.
    }
  }
  if (!user) {
    notice("sign-in");
    if (worker) registerWorker(notice);
    return;
  }
  const app = new App(await openStore(user.id), api, user, { session, households, bundle, tasks });
  await app.start();
  document.body.dataset.appReady = "true";
  if (!worker) return;
  await app.settled;
  const registration = await registerWorker(notice);
  if (registration) app.watchForUpdates(registration);
}

main().catch((error) => {
  // A start-up failure (a broken store, a bundle that cannot be read) must not leave a blank
  // page: say so, and keep the error for whoever looks at the console.
  console.error(error);
  document.getElementById("start-failed").hidden = false;
});
