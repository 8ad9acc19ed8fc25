// The census form on the phone: renders a form definition, keeps the answers, and after
// every keystroke recomputes income and flags (sticky bar) with the same pure modules the
// server uses. Validation follows a moment later and shows each issue beside its field.
// Work per keystroke is bounded by one record: nothing re-renders the whole roster.
// Nothing is judged before it is asked for: the verdict waits for the first income figure,
// and an issue shows once its field was touched (or everywhere, once finishing was tried).
import { compute } from "../core/income.js";
import { screen } from "../core/screening.js";
import { validate, blocking } from "../core/validation.js";
import { holds } from "../core/conditions.js";
import { formatYuan } from "../core/money.js";
import { createMessages } from "./messages.js";
import { element } from "./dom.js";

export { blocking };  // for whoever loads the form (app.js, ui/audits.js load it when a form opens)

const VALIDATION_DELAY_MS = 150;
const FIRST_SECTIONS = 2;  // household and members: what an enumerator starts with
// Flags that judge the income: meaningless until some income is entered.
const INCOME_FLAGS = new Set(["below_threshold", "near_threshold", "after_rigid_costs_within_threshold", "sharp_drop",
  "rigid_cost_burden"]);

export class CensusForm {
  constructor(root, bundle, answers, { threshold = null, lastYearPerCapita = null, referenceDate, showAllIssues = false,
    onChange = () => {} } = {}) {
    this.root = root;
    this.bundle = bundle;
    this.definition = bundle.definition;
    this.answers = answers;
    this.threshold = threshold;
    this.lastYearPerCapita = lastYearPerCapita;
    this.referenceDate = referenceDate;
    this.onChange = onChange;
    this.showAllIssues = showAllIssues;
    this.touched = new Set();
    this.incomeItems = this.definition.income.categories.flatMap((category) => category.items.map((item) => item.id));
    this.text = createMessages(bundle);
    this.codeValues = Object.fromEntries(Object.entries(bundle.code_tables).map(([name, rows]) => [name, rows.map((r) => r.value)]));
    this.names = {};
    for (const item of [...this.definition.guarantees, ...this.definition.event_types]) this.names[item.id] = this.text.label(item.label);
    this.issues = [];
    this.shownIssues = new Map();
    this.validationTimer = null;
  }

  sectionKey(section) {
    return section.answers ?? section.id;
  }

  // The totals and the first sections are drawn at once; the remaining sections follow in
  // the next task, so a cold start on a slow phone shows a usable form quickly.
  // `ready` resolves when every section is drawn and validated.
  render() {
    const t = this.text.t;
    this.nav = element("ol", { class: "section-list" });
    this.sectionLinks = new Map();
    this.lists = new Map();
    this.sticky = element("div", { class: "sticky-bar", role: "status", "aria-live": "polite" });
    this.explain = element("details", { class: "explain" }, element("summary", { text: t("计算过程") }));
    this.explainBody = element("div");
    this.explain.append(this.explainBody);
    const containers = this.definition.sections.map((section) => {
      const id = `s-${section.id}`;
      const count = element("span", { class: "count" });
      this.sectionLinks.set(section.id, count);
      this.nav.append(element("li", {}, element("a", { href: `#${id}` }, this.text.label(section.label), count)));
      const container = element("section", { id, class: "card census-section", "aria-labelledby": `${id}-title` },
        element("h2", { id: `${id}-title`, text: this.text.label(section.label) }));
      return [section, container];
    });
    this.root.replaceChildren(element("nav", { "aria-label": t("栏目") }, this.nav),
      element("div", { class: "sections" }, ...containers.map(([, container]) => container)), this.explain, this.sticky);
    this.root.addEventListener("input", (event) => this.handle(event));
    this.root.addEventListener("change", (event) => this.handle(event));
    this.root.addEventListener("click", (event) => this.click(event));
    this.root.addEventListener("focusout", (event) => this.touch(event.target));
    this.root.addEventListener("focusin", (event) => { if (!this.pointing) this.reveal(event.target); });
    // A tapped field is where the finger is: scrolling it mid-tap would move the tap's target.
    this.root.addEventListener("pointerdown", () => {
      this.pointing = true;
      const done = () => { this.pointing = false; };
      addEventListener("pointerup", done, { once: true });
      addEventListener("pointercancel", done, { once: true });
    });
    this.watchStickyHeight();
    this.recompute();
    containers.slice(0, FIRST_SECTIONS).forEach(([section, container]) => this.renderSection(section, container));
    this.ready = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));  // let the first sections paint
      containers.slice(FIRST_SECTIONS).forEach(([section, container]) => this.renderSection(section, container));
      this.validateNow();
      this.root.dataset.complete = "true";
    })();
    return this.ready;
  }

  renderSection(section, container) {
    const key = this.sectionKey(section);
    if (!section.repeat) {
      this.answers[key] ??= {};
      container.append(...this.renderFields(section, this.answers[key], key));
      return;
    }
    const list = element("div", { class: "repeat" });
    this.lists.set(section.id, list);
    (this.answers[key] ??= []).forEach((_, index) => list.append(this.renderItem(section, index)));
    container.append(list, element("button", { type: "button", class: "add", "data-add": section.id,
      text: this.text.t(section.id === "members" ? "添加成员" : "添加事件") }));
  }

  renderItem(section, index) {
    const record = this.answers[this.sectionKey(section)][index];
    const prefix = `${this.sectionKey(section)}[${index}]`;
    const noun = this.text.t(section.id === "members" ? "成员" : "事件");
    const legend = element("legend", { text: `${noun} ${index + 1}${record.name ? ` · ${record.name}` : ""}` });
    const remove = element("button", { type: "button", class: "danger", "data-remove": section.id, "data-index": index,
      text: this.text.t(section.id === "members" ? "删除成员" : "删除事件") });
    return element("fieldset", { class: "repeat-item", "data-prefix": prefix }, legend, ...this.renderFields(section, record, prefix), remove);
  }

  renderFields(section, record, prefix) {
    return section.questions.map((question) => this.renderField(section, question, record, prefix));
  }

  renderField(section, question, record, prefix) {
    const path = `${prefix}.${question.id}`;
    const id = `f-${path.replace(/[[\].]+/g, "-")}`;
    const label = this.text.label(question.label);
    const value = record[question.id];
    const issue = element("p", { class: "issue", id: `${id}-issue`, hidden: true });
    const hint = question.hint ? element("p", { class: "hint", id: `${id}-hint`, text: this.text.label(question.hint) }) : null;
    const describedBy = [hint?.id, issue.id].filter(Boolean).join(" ");
    const data = { "data-path": path, "data-section": section.id, "data-field": question.id, "data-type": question.type };
    let wrapper;
    if (question.type === "yes_no") {
      const name = id;
      const option = (optionValue, text) => element("label", { class: "check" },
        element("input", { type: "radio", name, value: String(optionValue), checked: value === optionValue,
          "aria-describedby": describedBy, ...data }), text);
      wrapper = element("fieldset", { class: "field yes-no" }, element("legend", { text: label }), hint,
        option(true, this.text.t("是")), option(false, this.text.t("否")));
    } else {
      let input;
      if (question.type === "select") {
        input = this.optionList(question).cloneNode(true);
        for (const [name, attribute] of Object.entries({ id, ...data })) input.setAttribute(name, attribute);
        input.value = value ?? "";
      } else if (question.type === "textarea") {
        input = element("textarea", { id, rows: 2, ...data });
        input.value = value ?? "";
      } else {
        const kinds = {
          money: { type: "text", inputmode: "decimal", autocomplete: "off" },
          integer: { type: "text", inputmode: "numeric", autocomplete: "off" },
          date: { type: "date" },
          phone: { type: "tel", inputmode: "tel", autocomplete: "off" },
          resident_id: { type: "text", autocomplete: "off", autocapitalize: "characters", spellcheck: "false" },
          text: { type: "text" },
        };
        input = element("input", { id, ...kinds[question.type], ...data });
        input.value = value ?? "";
      }
      input.setAttribute("aria-describedby", describedBy);
      wrapper = element("div", { class: "field" }, element("label", { for: id, text: label }), hint, input);
    }
    wrapper.dataset.wrapper = path;
    wrapper.hidden = !holds(question.when, record, this.referenceDate);
    wrapper.append(issue);
    return wrapper;
  }

  // A select's options are built once per question and cloned for every member: the
  // ethnicity list alone has 58 of them.
  optionList(question) {
    this.optionLists ??= new Map();
    if (!this.optionLists.has(question)) {
      const rows = question.codes
        ? this.bundle.code_tables[question.codes]
        : question.options.map((o) => ({ value: o.value, label: this.text.label(o.label) }));
      this.optionLists.set(question, element("select", {}, element("option", { value: "", text: this.text.t("未选择") }),
        ...rows.map((row) => element("option", { value: row.value, text: row.label }))));
    }
    return this.optionLists.get(question);
  }

  recordFor(input) {
    const section = this.definition.sections.find((s) => s.id === input.dataset.section);
    const key = this.sectionKey(section);
    if (!section.repeat) return { section, record: this.answers[key], container: input.closest("section") };
    const item = input.closest(".repeat-item");
    const index = Number(item.dataset.prefix.match(/\[(\d+)\]$/)[1]);
    return { section, record: this.answers[key][index], container: item };
  }

  handle(event) {
    const input = event.target;
    if (input.dataset.explain) {
      (this.answers.explanations ??= {})[input.dataset.explain] = input.value;
      this.scheduleValidation();
      this.onChange(this.answers);
      return;
    }
    if (!input.dataset.field) return;
    this.touched.add(input.dataset.path);
    const { section, record, container } = this.recordFor(input);
    record[input.dataset.field] = this.valueOf(input);
    if (section.id === "members" && input.dataset.field === "name") {
      const legend = container.querySelector("legend");
      legend.textContent = legend.textContent.replace(/ · .*$/, "") + (input.value ? ` · ${input.value}` : "");
    }
    for (const wrapper of container.querySelectorAll("[data-wrapper]")) {
      if (wrapper.closest(".repeat-item") !== (container.matches(".repeat-item") ? container : null)) continue;
      const question = section.questions.find((q) => q.id === wrapper.dataset.wrapper.split(".").pop());
      wrapper.hidden = !holds(question.when, record, this.referenceDate);
    }
    this.recompute();
    this.scheduleValidation();
    this.onChange(this.answers);
  }

  valueOf(input) {
    const raw = input.value;
    switch (input.dataset.type) {
      case "yes_no":
        return raw === "true";
      case "integer":
        return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      case "select":
        return raw === "" ? null : raw;
      default:
        return raw;
    }
  }

  click(event) {
    // The section list scrolls to its section; the app's address (its route) stays as it is.
    const jump = event.target.closest("a[href^='#s-']");
    if (jump) {
      event.preventDefault();
      this.root.querySelector(jump.getAttribute("href"))?.scrollIntoView({ block: "start" });
      return;
    }
    const button = event.target.closest("button[data-add], button[data-remove]");
    if (!button) return;
    const section = this.definition.sections.find((s) => s.id === (button.dataset.add ?? button.dataset.remove));
    const items = this.answers[this.sectionKey(section)];
    if (button.dataset.add) {
      items.push(section.id === "members" ? { key: crypto.randomUUID(), status: "present", shares_income: true } : {});
      const node = this.renderItem(section, items.length - 1);
      this.lists.get(section.id).append(node);
      // Focusing the new member (which scrolls a long roster) costs more than everything
      // else together: do it just after the frame that shows the member and the new totals.
      setTimeout(() => node.querySelector("input, select, textarea")?.focus(), 0);
    } else {
      items.splice(Number(button.dataset.index), 1);
      this.lists.get(section.id).replaceChildren(...items.map((_, index) => this.renderItem(section, index)));
      this.shownIssues.clear();
    }
    this.recompute();
    this.scheduleValidation();
    this.onChange(this.answers);
  }

  // A field left (even unchanged) counts as touched: its issues show from then on.
  touch(input) {
    if (!input.dataset?.path || this.touched.has(input.dataset.path)) return;
    this.touched.add(input.dataset.path);
    this.showIssues();
  }

  // The field reached by keyboard, with its hint, issue and the reviewer's comment under it,
  // is never left under the sticky bar (field.css keeps the bar's height as scroll padding).
  reveal(input) {
    input.closest?.("[data-wrapper]")?.scrollIntoView({ block: "nearest" });
  }

  watchStickyHeight() {
    if (typeof ResizeObserver === "undefined") return;
    new ResizeObserver(([entry]) => {
      document.documentElement.style.setProperty("--sticky-height", `${Math.ceil(entry.borderBoxSize[0].blockSize)}px`);
    }).observe(this.sticky);
  }

  focusField(path) {
    const wrapper = this.root.querySelector(`[data-wrapper="${CSS.escape(path)}"]`);
    const input = wrapper?.querySelector("input, select, textarea");
    if (!input) return;
    input.focus({ preventScroll: true });
    wrapper.scrollIntoView({ block: "center" });
  }

  incomeEntered() {
    const income = this.answers.income ?? {};
    return this.incomeItems.some((id) => String(income[id] ?? "").trim() !== "");
  }

  recompute() {
    const householdType = this.answers.household?.household_type ?? null;
    this.income = compute(this.definition, this.answers, { threshold: this.threshold, lastYearPerCapita: this.lastYearPerCapita });
    this.screening = screen(this.definition, this.answers, this.income, householdType);
    this.renderSticky();
  }

  renderSticky() {
    const t = this.text.t;
    // Before any income is typed the figure would be 0 and the verdict "below the line":
    // say what is missing instead.
    const entered = this.incomeEntered();
    const perCapita = entered ? this.income.per_capita_net_income : null;
    const figure = element("p", { class: "figure" },
      element("span", { text: `${t("人均纯收入")} ` }),
      element("strong", { "data-figure": "per-capita", text: perCapita === null ? "—" : formatYuan(perCapita) }),
      this.threshold === null ? null : element("span", { text: ` / ${t("监测范围")} ${formatYuan(this.threshold)}` }),
      this.income.growth_rate === null ? null : element("span", { text: ` · ${t("比上年")} ${this.income.growth_rate}%` }));
    const shownFlags = entered ? this.screening.flags : this.screening.flags.filter((flag) => !INCOME_FLAGS.has(flag.code));
    const flags = element("ul", { class: "flags" },
      ...shownFlags.map((flag) => element("li", { class: `flag flag-${flag.code}`, text: this.text.flag(flag, this.names) })));
    const { suggested_category: category, suggested_risk_types: risks } = this.screening;
    const riskNames = risks.map((code) => {
      const risk = this.definition.risk_types.find((r) => r.code === code);
      return risk ? this.text.label(risk.label) : code;
    });
    const suggestions = !entered ? element("p", { class: "suggestion", text: t("填写收入后显示人均纯收入和建议。") })
      : category ? element("p", { class: "suggestion" },
      this.text.suggestion("category", this.bundle.categories[category]),
      riskNames.length ? ` · ${this.text.suggestion("risks", riskNames.join("、"))}` : "") : null;
    this.sticky.classList.toggle("at-risk", shownFlags.some((f) => f.code === "below_threshold"));
    this.sticky.replaceChildren(figure, flags, ...(suggestions ? [suggestions] : []));
    if (this.explain.open) this.renderExplanation();
  }

  renderExplanation() {
    const rows = this.income.lines.map((line) => {
      const category = this.definition.income.categories.find((c) => c.id === line.id);
      const name = category ? this.text.label(category.label) : this.text.line(line.id);
      const value = line.id === "growth_rate" ? (line.value ?? this.text.line("not_applicable")) : formatYuan(line.value);
      return element("tr", {}, element("th", { scope: "row", text: name }), element("td", { class: "num", text: value ?? "—" }));
    });
    this.explainBody.replaceChildren(element("table", { class: "list" }, element("tbody", {}, ...rows)));
  }

  scheduleValidation() {
    clearTimeout(this.validationTimer);
    this.validationTimer = setTimeout(() => this.validateNow(), VALIDATION_DELAY_MS);
  }

  validateNow(extra = []) {
    clearTimeout(this.validationTimer);
    this.issues = [...validate(this.definition, this.answers, {
      codeTables: this.codeValues, referenceDate: this.referenceDate, income: this.income,
    }), ...extra];
    this.showIssues();
    return this.issues;
  }

  // Only the issues of fields touched so far, until every issue is asked for.
  visibleIssues() {
    return this.showAllIssues ? this.issues : this.issues.filter((issue) => this.touched.has(issue.path));
  }

  showIssues() {
    const visible = this.visibleIssues();
    const byPath = new Map();
    for (const issue of visible) {
      if (!byPath.has(issue.path)) byPath.set(issue.path, []);
      byPath.get(issue.path).push(issue);
    }
    for (const path of new Set([...this.shownIssues.keys(), ...byPath.keys()])) {
      const issues = byPath.get(path) ?? [];
      // Not whether a warning is explained: redrawing would take the explanation box from under the typist.
      const signature = JSON.stringify(issues.map((i) => [i.code, i.message]));
      if (this.shownIssues.get(path) === signature) continue;
      this.shownIssues.set(path, signature);
      this.showIssuesAt(path, issues);
    }
    const counts = new Map();
    for (const issue of blocking(visible)) {
      const section = this.sectionOf(issue.path);
      counts.set(section, (counts.get(section) ?? 0) + 1);
    }
    for (const [id, node] of this.sectionLinks) {
      const count = counts.get(id) ?? 0;
      node.textContent = count ? ` (${count})` : "";
      node.classList.toggle("has-issues", count > 0);
    }
  }

  sectionOf(path) {
    const key = path.split(/[.[]/)[0];
    const field = path.split(".").pop();
    const matching = this.definition.sections.filter((s) => this.sectionKey(s) === key);
    return (matching.find((s) => s.questions.some((q) => q.id === field)) ?? matching[0] ?? { id: "members" }).id;
  }

  showIssuesAt(path, issues) {
    const wrapper = this.root.querySelector(`[data-wrapper="${CSS.escape(path)}"]`);
    const target = wrapper?.querySelector(".issue") ?? this.sectionIssue(path);
    if (!target) return;
    target.replaceChildren();
    target.hidden = issues.length === 0;
    wrapper?.classList.toggle("has-error", issues.some((i) => i.severity === "error"));
    for (const issue of issues) {
      const words = issue.message ?? this.text.issue(issue);
      const line = element("span", { class: issue.severity,
        text: this.text.t(issue.severity === "error" ? "错误：%(message)s" : "提醒：%(message)s", { message: words }) });
      target.append(line);
      if (issue.severity === "warning") {
        const key = `${issue.path}|${issue.code}`;
        const id = `x-${key.replace(/[^\w-]+/g, "-")}`;
        const box = element("textarea", { id, rows: 2, "data-explain": key });
        box.value = this.answers.explanations?.[key] ?? "";
        target.append(element("label", { for: id, text: this.text.t("说明（必填）") }), box);
      }
    }
  }

  sectionIssue(path) {
    // Issues about a whole section or roster ("members": no head) show under its heading.
    const section = this.definition.sections.find((s) => this.sectionKey(s) === path);
    if (!section) return null;
    const container = this.root.querySelector(`#s-${section.id}`);
    let node = container.querySelector(":scope > .issue");
    if (!node) {
      node = element("p", { class: "issue", hidden: true });
      container.querySelector("h2").after(node);
    }
    return node;
  }
}
