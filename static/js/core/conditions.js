// Show/hide conditions for questions: the phone's mirror of app/census/conditions.py.

export function isEmpty(value) {
  return value === null || value === undefined || (typeof value === "string" && value.trim() === "");
}

function parseIsoDate(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? "");
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return { year, month, day };
}

export function ageOn(birthDate, referenceDate) {
  const born = parseIsoDate(birthDate);
  const day = parseIsoDate(referenceDate);
  if (!born || !day) return null;
  const beforeBirthday = day.month < born.month || (day.month === born.month && day.day < born.day);
  return day.year - born.year - (beforeBirthday ? 1 : 0);
}

export function holds(condition, record, referenceDate) {
  if (condition === null || condition === undefined) return true;
  if ("all" in condition) return condition.all.every((part) => holds(part, record, referenceDate));
  if ("any" in condition) return condition.any.some((part) => holds(part, record, referenceDate));
  if ("not" in condition) return !holds(condition.not, record, referenceDate);
  if ("age" in condition) {
    const age = ageOn(record.birth_date, referenceDate);
    const { min = 0, max = 1000 } = condition.age;
    return age !== null && min <= age && age <= max;
  }
  const value = record[condition.field];
  if ("equals" in condition) return value === condition.equals;
  if ("in" in condition) return condition.in.includes(value);
  if ("empty" in condition) return isEmpty(value) === condition.empty;
  if ("greater_than" in condition) return typeof value === "number" && value > condition.greater_than;
  throw new Error(`unknown condition ${JSON.stringify(condition)}`);
}
