import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MAX_FEN, parseYuan, readYuan } from "../../static/js/core/money.js";

const vectors = JSON.parse(readFileSync(new URL("../vectors/money.json", import.meta.url), "utf8"));

test("the bound is the vectors'", () => assert.equal(MAX_FEN, vectors.max_fen));

for (const c of vectors.cases) {
  test(`money: ${c.name}`, () => {
    assert.deepEqual(readYuan(c.input), { fen: c.fen, problem: c.problem });
    assert.equal(parseYuan(c.input), c.fen);
  });
}

test("thousands of digits are too large, not Infinity", () => {
  assert.deepEqual(readYuan("9".repeat(5000)), { fen: null, problem: "too_large" });
});
