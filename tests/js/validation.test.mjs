import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { validate, blocking } from "../../static/js/core/validation.js";
import { compute } from "../../static/js/core/income.js";

const root = new URL("../../", import.meta.url);
const vectors = JSON.parse(readFileSync(new URL("tests/vectors/validation.json", root), "utf8"));
const definition = JSON.parse(readFileSync(new URL(vectors.definition, root), "utf8"));

for (const c of vectors.cases) {
  test(`validation: ${c.name}`, () => {
    const income = c.with_income ? compute(definition, c.answers, { threshold: 870000 }) : null;
    const found = validate(definition, c.answers, {
      codeTables: vectors.code_tables, referenceDate: c.reference_date, income, idsElsewhere: new Map(Object.entries(c.ids_elsewhere)),
    });
    assert.deepEqual(found, c.expected);
    assert.deepEqual(blocking(found), c.expected_blocking);
  });
}
