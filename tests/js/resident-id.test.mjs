import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse, checkCharacter, personKey } from "../../static/js/core/resident-id.js";

const { cases } = JSON.parse(readFileSync(new URL("../vectors/resident_id.json", import.meta.url), "utf8"));

for (const c of cases) {
  test(`resident ID: ${c.name}`, () => {
    const result = parse(c.input, c.today);
    assert.equal(result.problem, c.problem);
    assert.equal(result.birthDate, c.birth_date);
    assert.equal(result.sex, c.sex);
    assert.equal(personKey(c.input), c.key);
  });
}

test("published example has check character X", () => {
  assert.equal(checkCharacter("11010519491231002"), "X");
});
