// Offline search over the assigned households: by name, the last digits of an ID number,
// household number or group. Pure; the index is built once per household list, from the
// list's rows and the rosters of the forms stored (store/db.js: names and ID numbers).
import { compact } from "./typed.js";

// Read as IDs are (typed.js): full-width digits and letters typed in full-width mode match.
const normalise = (text) => compact(String(text ?? "")).toUpperCase();

export function buildIndex(households, rosters = []) {
  const members = new Map(rosters.map((roster) => [roster.id, roster.members]));
  return households.map((household) => {
    const people = members.get(household.id) ?? [];
    return {
      household,
      text: normalise([household.household_number, household.group, household.village, household.head_name,
        ...people.map((m) => m.name)].join("|")),
      ids: people.map((m) => normalise(m.id_number)),
    };
  });
}

// Matches every word of the query (names, numbers, group); a query of digits (or ending
// in X) also matches the end of a member's ID number.
export function search(index, query, limit = 50) {
  const words = String(query ?? "").trim().split(/\s+/).filter(Boolean).map(normalise);
  const matches = [];
  let total = 0;
  for (const entry of index) {
    const hit = words.every((word) => entry.text.includes(word) || (/^\d+X?$/.test(word) && entry.ids.some((id) => id.endsWith(word))));
    if (hit) {
      total += 1;
      if (matches.length < limit) matches.push(entry.household);
    }
  }
  return { matches, total };
}
