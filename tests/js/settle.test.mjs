// What the server says of a record becomes the phone's state of it (SyncEngine.settle), over an
// in-memory store: the "done" mark, records made elsewhere, second records the village resolved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SyncEngine } from "../../static/js/sync/engine.js";

function memoryStore(records = []) {
  const stored = new Map(records.map((record) => [record.id, record]));
  const deletedFiles = [];
  return {
    stored, deletedFiles,
    async getRecord(id) { return stored.get(id); },
    async putRecord(record) { stored.set(record.id, record); },
    async deleteRecord(id) { stored.delete(id); },
    async deleteFile(sha256) { deletedFiles.push(sha256); },
  };
}

const engine = (store) => new SyncEngine(store, null, { now: () => Date.parse("2026-07-02T00:00:00Z") });
const sent = { id: "r1", household_id: 7, state: "sent", revision: 1, answers: { income: {} },
  attachments: [{ sha256: "a".repeat(64), kind: "photo" }] };

test("an approved record stays as a read-only done mark without its files", async () => {
  const store = memoryStore([sent]);
  await engine(store).settle({ id: "r1", household_id: 7, status: "approved", revision: 1, mine: true,
    approved_on: "2026-07-02", per_capita_net_income: 1800000 }, sent);
  const done = store.stored.get("r1");
  assert.equal(done.state, "done");
  assert.deepEqual([done.approved_on, done.per_capita_net_income, done.attachments], ["2026-07-02", 1800000, []]);
  assert.deepEqual(done.answers, { income: {} });
  assert.deepEqual(store.deletedFiles, ["a".repeat(64)]);
});

test("a household recorded elsewhere gets a mark, never a blank draft", async () => {
  const store = memoryStore();
  await engine(store).settle({ id: "r9", household_id: 8, status: "submitted", revision: 1, mine: false }, undefined);
  assert.equal(store.stored.get("r9").state, "recorded");
  await engine(store).settle({ id: "r9", household_id: 8, status: "approved", revision: 1, mine: false,
    approved_on: "2026-07-03", per_capita_net_income: 900000 }, store.stored.get("r9"));
  assert.equal(store.stored.get("r9").state, "done");
});

test("a returned record of someone else is not taken over for correcting", async () => {
  const store = memoryStore();
  await engine(store).settle({ id: "r9", household_id: 8, status: "returned", revision: 1, mine: false,
    answers: null }, undefined);
  assert.equal(store.stored.get("r9").state, "recorded");
});

test("a done record reopened and returned comes back for correcting", async () => {
  const done = { ...sent, state: "done", attachments: [] };
  const store = memoryStore([done]);
  await engine(store).settle({ id: "r1", household_id: 7, status: "returned", revision: 1, mine: true,
    answers: { income: { wage_migrant: "1" } }, comments: [{ path: "income", text: "请核实" }] }, done);
  const returned = store.stored.get("r1");
  assert.equal(returned.state, "returned");
  assert.deepEqual(returned.answers, { income: { wage_migrant: "1" } });
});

test("a second record the village resolved leaves the phone; unresolved it stays", async () => {
  const copy = { id: "r2", household_id: 7, state: "conflict", attachments: [] };
  const store = memoryStore([copy]);
  await engine(store).settle({ id: "r2", household_id: 7, status: "second_record", record: "r1", resolved: false }, copy);
  assert.ok(store.stored.has("r2"));
  await engine(store).settle({ id: "r2", household_id: 7, status: "second_record", record: "r1", resolved: true }, copy);
  assert.ok(!store.stored.has("r2"));
});

test("a done mark keeps the answers only when they are the approved revision", async () => {
  const store = memoryStore([sent]);
  await engine(store).settle({ id: "r1", household_id: 7, status: "approved", revision: 2, mine: true,
    approved_on: "2026-07-02", per_capita_net_income: 1500000 }, sent);
  assert.equal(store.stored.get("r1").answers, null);
  assert.equal(store.stored.get("r1").state, "done");
});
