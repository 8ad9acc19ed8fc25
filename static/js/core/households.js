// The phone's household list: which record state each household is in, the filters over
// those states (with their counts) and the order they are shown in. Pure, so node tests it.

// Records the phone can still edit: one of them is the household's record in hand.
export const EDITABLE = ["draft", "outbox", "returned", "invalid"];

// The filters, in the order offered; "returned" comes first because it is the work waiting.
export const FILTERS = ["all", "returned", "draft", "waiting", "done", "not_visited"];

// Which filter a record state belongs to. A record the server refused (invalid) is fixed
// like a returned one; a conflict waits for the village's decision like a sent record.
const FILTER_OF_STATE = {
  returned: "returned", invalid: "returned", draft: "draft", outbox: "waiting", sent: "waiting", conflict: "waiting",
  done: "done", recorded: "done",
};

export function filterOf(state) {
  return state ? FILTER_OF_STATE[state] : "not_visited";
}

// Each household's state: an editable record wins over the others, since that is the one
// the enumerator opens.
export function statesByHousehold(records) {
  const states = new Map();
  for (const record of records) {
    if (!states.has(record.household_id) || EDITABLE.includes(record.state)) states.set(record.household_id, record.state);
  }
  return states;
}

export function countByFilter(households, states) {
  const counts = Object.fromEntries(FILTERS.map((filter) => [filter, 0]));
  counts.all = households.length;
  for (const household of households) counts[filterOf(states.get(household.id))] += 1;
  return counts;
}

// The households a filter shows, in list order (`households` are in household-number
// order): returned ones first, then the rest as given.
export function arrange(households, states, filter) {
  const chosen = filter === "all" ? households : households.filter((h) => filterOf(states.get(h.id)) === filter);
  const returned = chosen.filter((h) => filterOf(states.get(h.id)) === "returned");
  return returned.length && filter === "all"
    ? [...returned, ...chosen.filter((h) => filterOf(states.get(h.id)) !== "returned")]
    : chosen;
}
