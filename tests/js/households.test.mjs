// The phone's household list: each household's state, the filters and their counts, the order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FILTERS, arrange, countByFilter, filterOf, statesByHousehold } from "../../static/js/core/households.js";

const households = [1, 2, 3, 4, 5, 6, 7].map((id) => ({ id, household_number: `A-000${id}` }));
const records = [
  { id: "a", household_id: 1, state: "draft" },
  { id: "b", household_id: 2, state: "sent" },
  { id: "c", household_id: 3, state: "returned" },
  { id: "d", household_id: 4, state: "done" },
  { id: "e", household_id: 5, state: "conflict" },
  { id: "f", household_id: 5, state: "outbox" },  // the record in hand beats the kept copy
  { id: "g", household_id: 6, state: "invalid" },
];

test("an editable record is the household's state, whatever the order", () => {
  assert.equal(statesByHousehold(records).get(5), "outbox");
  assert.equal(statesByHousehold([...records].reverse()).get(5), "outbox");
  assert.equal(statesByHousehold(records).get(7), undefined);
});

test("every state falls under one filter; no record is not visited", () => {
  assert.deepEqual(["draft", "outbox", "sent", "returned", "invalid", "conflict", "done", "recorded", undefined].map(filterOf),
    ["draft", "waiting", "waiting", "returned", "returned", "waiting", "done", "done", "not_visited"]);
});

test("counts per filter add up to all", () => {
  const counts = countByFilter(households, statesByHousehold(records));
  assert.deepEqual(counts, { all: 7, returned: 2, draft: 1, waiting: 2, done: 1, not_visited: 1 });
  assert.equal(FILTERS.slice(1).reduce((sum, filter) => sum + counts[filter], 0), counts.all);
});

test("all shows returned records first, then the rest in household-number order", () => {
  const ids = arrange(households, statesByHousehold(records), "all").map((h) => h.id);
  assert.deepEqual(ids, [3, 6, 1, 2, 4, 5, 7]);
});

test("a filter shows only its households, in order", () => {
  const states = statesByHousehold(records);
  assert.deepEqual(arrange(households, states, "waiting").map((h) => h.id), [2, 5]);
  assert.deepEqual(arrange(households, states, "not_visited").map((h) => h.id), [7]);
  assert.deepEqual(arrange(households, new Map(), "returned"), []);
});
