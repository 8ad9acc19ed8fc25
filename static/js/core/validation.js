// Validation of one census record: the phone's mirror of app/census/validation.py (read its
// header for the issue shape). Both are checked against tests/vectors/validation.json.
import { parse as parseResidentId, personKey } from "./resident-id.js";
import { ageOn, holds, isEmpty } from "./conditions.js";
import { MAX_FEN, readYuan } from "./money.js";

const PHONE = /^1[0-9]{10}$/;
const INTEGER = /^-?[0-9]+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function issue(path, code, severity = "error", params = {}) {
  return { path, code, severity, params };
}

function isIsoDate(text) {
  if (typeof text !== "string" || !ISO_DATE.test(text)) return false;
  const [year, month, day] = text.split("-").map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkValue(question, value, path, codeTables, referenceDate) {
  switch (question.type) {
    case "text":
    case "textarea": {
      if (typeof value !== "string") return [issue(path, "text_format")];
      const max = question.max_length ?? 10000;
      if (value.trim().length > max) return [issue(path, "too_long", "error", { max })];
      return [];
    }
    case "integer": {
      const whole = Number.isInteger(value) || (typeof value === "string" && INTEGER.test(value));
      if (typeof value === "boolean" || !whole) return [issue(path, "integer_format")];
      const low = question.min ?? null;
      const high = question.max ?? null;
      const number = Number(value);
      if ((low !== null && number < low) || (high !== null && number > high)) {
        return [issue(path, "out_of_range", "error", { min: low, max: high })];
      }
      return [];
    }
    case "money": {
      const { fen, problem } = readYuan(value);
      if (problem === "too_large") return [issue(path, "money_too_large", "error", { limit: MAX_FEN })];
      if (problem) return [issue(path, "money_format")];
      return fen < 0 ? [issue(path, "money_negative")] : [];
    }
    case "date":
      if (!isIsoDate(value)) return [issue(path, "date_format")];
      return value > referenceDate ? [issue(path, "date_in_future")] : [];
    case "select": {
      const allowed = question.codes ? codeTables[question.codes] : question.options.map((o) => o.value);
      return allowed.includes(value) ? [] : [issue(path, "unknown_option")];
    }
    case "yes_no":
      return typeof value === "boolean" ? [] : [issue(path, "yes_no_format")];
    case "phone":
      return typeof value === "string" && PHONE.test(value.trim()) ? [] : [issue(path, "phone_format")];
    case "resident_id": {
      const checked = parseResidentId(typeof value === "string" ? value : "", referenceDate);
      return checked.problem ? [issue(path, `id_${checked.problem}`)] : [];
    }
    default:
      throw new Error(`unknown question type ${question.type}`);
  }
}

export function checkRecord(questions, record, prefix, codeTables, referenceDate) {
  const found = [];
  for (const question of questions) {
    if (!holds(question.when, record, referenceDate)) continue;
    const path = `${prefix}.${question.id}`;
    const value = record[question.id];
    if (isEmpty(value)) {
      if (question.required) found.push(issue(path, "required"));
      continue;
    }
    found.push(...checkValue(question, value, path, codeTables, referenceDate));
  }
  return found;
}

// idsElsewhere: a Map from person key to the other households' numbers (only the server knows them).
export function checkRoster(members, referenceDate, idsElsewhere) {
  const found = [];
  const present = members.map((m, index) => [index, m]).filter(([, m]) => (m.status ?? "present") === "present");
  const heads = present.filter(([, m]) => m.relation === "head").map(([index]) => index);
  if (!heads.length) found.push(issue("members", "no_head"));
  for (const index of heads.slice(1)) found.push(issue(`members[${index}].relation`, "two_heads"));
  const spouses = present.filter(([, m]) => m.relation === "spouse").map(([index]) => index);
  for (const index of spouses.slice(1)) found.push(issue(`members[${index}].relation`, "two_spouses"));
  if (heads.length === 1 && spouses.length) {
    const headSex = members[heads[0]].sex;
    if (headSex && members[spouses[0]].sex === headSex) found.push(issue(`members[${spouses[0]}].sex`, "spouse_same_sex"));
  }

  const seen = new Set();
  members.forEach((member, index) => {
    const checked = parseResidentId(typeof member.id_number === "string" ? member.id_number : "", referenceDate);
    if (checked.problem) return;
    const resident = personKey(checked.number);
    if (seen.has(resident)) found.push(issue(`members[${index}].id_number`, "id_duplicate"));
    seen.add(resident);
    if ((member.sex === "male" || member.sex === "female") && member.sex !== checked.sex) {
      found.push(issue(`members[${index}].sex`, "sex_disagrees_with_id"));
    }
    if (isIsoDate(member.birth_date) && member.birth_date !== checked.birthDate) {
      found.push(issue(`members[${index}].birth_date`, "birth_date_disagrees_with_id"));
    }
    const households = idsElsewhere.get(resident);
    if (households?.length && (member.status ?? "present") === "present") {
      found.push(issue(`members[${index}].id_number`, "id_in_other_household", "warning", { households: [...households] }));
    }
  });

  for (const [index, member] of present) {
    const residents = Boolean(member.residents_medical_insurance);
    const employees = Boolean(member.employees_medical_insurance);
    if (residents && employees) {
      found.push(issue(`members[${index}].residents_medical_insurance`, "medical_insurance_both", "warning"));
    } else if (!residents && !employees) {
      found.push(issue(`members[${index}].residents_medical_insurance`, "medical_insurance_none", "warning"));
    }
  }
  return found;
}

// Compulsory schooling age (义务教育), in whole years at the reference date.
export const SCHOOL_AGE = [6, 15];

// The "3+1" answers agree with the members (DOMAIN §7): compulsory education is not secured
// while a present child of school age is not in school, nor basic medical care while a present
// member has no basic medical insurance.
export function checkGuarantees(guarantees, members, referenceDate) {
  const found = [];
  const present = members.filter((m) => m && typeof m === "object" && (m.status ?? "present") === "present");
  if (guarantees.compulsory_education === true) {
    const outOfSchool = present.filter((m) => {
      const age = ageOn(m.birth_date, referenceDate);
      return isEmpty(m.schooling) && age !== null && age >= SCHOOL_AGE[0] && age <= SCHOOL_AGE[1];
    }).map((m) => m.name ?? "");
    if (outOfSchool.length) {
      found.push(issue("guarantees.compulsory_education", "education_guarantee_out_of_school", "error", { names: outOfSchool.join("、") }));
    }
  }
  if (guarantees.basic_medical === true) {
    const uninsured = present.filter((m) => !m.residents_medical_insurance && !m.employees_medical_insurance).map((m) => m.name ?? "");
    if (uninsured.length) {
      found.push(issue("guarantees.basic_medical", "medical_guarantee_uninsured", "error", { names: uninsured.join("、") }));
    }
  }
  return found;
}

export function checkIncome(definition, income) {
  if (!income || income.per_capita_net_income === null || income.per_capita_net_income === undefined) return [];
  const { plausible_per_capita_min_fen: low, plausible_per_capita_max_fen: high } = definition.settings;
  const perCapita = income.per_capita_net_income;
  if (perCapita < low || perCapita > high) {
    return [issue("income", "per_capita_implausible", "warning", { per_capita: perCapita, low, high })];
  }
  return [];
}

export function validate(definition, answers, { codeTables, referenceDate, income = null, idsElsewhere = new Map() }) {
  const found = [];
  for (const section of definition.sections) {
    const key = section.answers ?? section.id;
    if (section.repeat) {
      const items = answers[key] ?? [];
      if (items.length < (section.min ?? 0)) found.push(issue(key, "too_few", "error", { min: section.min }));
      items.forEach((item, index) => found.push(...checkRecord(section.questions, item, `${key}[${index}]`, codeTables, referenceDate)));
    } else {
      found.push(...checkRecord(section.questions, answers[key] ?? {}, key, codeTables, referenceDate));
    }
  }
  found.push(...checkRoster(answers.members ?? [], referenceDate, idsElsewhere));
  found.push(...checkGuarantees(answers.guarantees ?? {}, answers.members ?? [], referenceDate));
  found.push(...checkIncome(definition, income));
  const explanations = answers.explanations ?? {};
  for (const item of found) {
    if (item.severity === "warning") item.explained = !isEmpty(explanations[`${item.path}|${item.code}`]);
  }
  return found;
}

export function blocking(issues) {
  return issues.filter((item) => item.severity === "error" || !item.explained);
}
