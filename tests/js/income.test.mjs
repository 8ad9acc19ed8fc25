import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { compute, divideHalfUp } from "../../static/js/core/income.js";
import { screen } from "../../static/js/core/screening.js";
import { parseYuan, formatYuan } from "../../static/js/core/money.js";

const root = new URL("../../", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("tests/vectors/income.json", root), "utf8"));
const definition = JSON.parse(readFileSync(new URL(vectors.definition, root), "utf8"));

function definitionFor(c) {
  const copy = structuredClone(definition);
  Object.assign(copy.settings, c.settings ?? {});
  for (const category of copy.income.categories) {
    for (const item of category.items) if ((c.excluded_items ?? []).includes(item.id)) item.counts = false;
  }
  return copy;
}

test("there are enough vectors", () => assert.ok(vectors.cases.length >= 60));

for (const c of vectors.cases) {
  test(`income: ${c.name}`, () => {
    const def = definitionFor(c);
    const result = compute(def, c.answers, { threshold: c.threshold, lastYearPerCapita: c.last_year_per_capita });
    assert.deepEqual(result, c.expected.income);
    assert.deepEqual(screen(def, c.answers, result, c.household_type), c.expected.screening);
  });
}

test("rounding differs from Math.round only where it must", () => {
  assert.equal(divideHalfUp(5, 2), 3);
  assert.equal(divideHalfUp(-5, 2), -3); // Math.round(-2.5) would give -2
  assert.equal(divideHalfUp(7, 4), 2);
});

test("money parsing mirrors the server", () => {
  assert.equal(parseYuan("8,700.5"), 870050);
  assert.equal(parseYuan("1.234"), null);
  assert.equal(parseYuan("1e3"), null);
  assert.equal(parseYuan("-0.05"), -5);
  assert.equal(formatYuan(870000), "8,700.00");
  assert.equal(formatYuan(-250), "-2.50");
});
