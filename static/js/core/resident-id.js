// Resident identity numbers (GB 11643-1999): the phone's mirror of app/identity.py.
// Both are checked against tests/vectors/resident_id.json. Pure: no DOM, importable by node.
import { compact } from "./typed.js";

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = "10X98765432";

export function checkCharacter(first17) {
  let total = 0;
  for (let i = 0; i < 17; i += 1) total += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[total % 11];
}

export function normalise(text) {
  return typeof text === "string" ? compact(text).toUpperCase() : "";
}

// "length" or "characters" when a normalised number is not 18 (or 20) ASCII characters of an ID.
function formProblem(number) {
  if (number.length !== 18 && number.length !== 20) return "length";
  return /^[0-9]{17}[0-9X]([0-9]{2})?$/.test(number) ? null : "characters";
}

// Who a number names (app/identity.py person_key): its first 18 characters, or null.
export function personKey(text) {
  const number = normalise(text);
  return formProblem(number) ? null : number.slice(0, 18);
}

function isoDate(year, month, day) {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// Returns {number, problem, birthDate, sex}; problem is null when valid, else one of
// "length", "characters", "birth_date", "checksum" (tested in that order).
// `today` is an ISO date string; birth dates after it are refused.
export function parse(text, today = new Date().toISOString().slice(0, 10)) {
  const number = normalise(text);
  const invalid = (problem) => ({ number, problem, birthDate: null, sex: null });
  const problem = formProblem(number);
  if (problem) return invalid(problem);
  const resident = number.slice(0, 18);
  const year = Number(resident.slice(6, 10));
  const month = Number(resident.slice(10, 12));
  const day = Number(resident.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  const birthDate = isoDate(year, month, day);
  if (!real || year < 1880 || birthDate > today) return invalid("birth_date");
  if (checkCharacter(resident.slice(0, 17)) !== resident[17]) return invalid("checksum");
  const sex = Number(resident[16]) % 2 === 1 ? "male" : "female";
  return { number, problem: null, birthDate, sex };
}
