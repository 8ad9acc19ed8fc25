// A record the server answers "error" for is retried a bounded number of times, then shown as
// needing attention, never deleted (SyncEngine.apply over an in-memory store).
import { test } from "node:test";
import assert from "node:assert/strict";
import { SyncEngine } from "../../static/js/sync/engine.js";
import { MAX_ERROR_ANSWERS } from "../../static/js/sync/schedule.js";

function memoryStore(records) {
  const stored = new Map(records.map((record) => [record.id, record]));
  let clock = 0;
  return {
    stored,
    async getRecord(id) { return stored.get(id); },
    async putRecord(record) { stored.set(record.id, { ...record, updated_at: String(++clock) }); },
  };
}

const error = { id: "r1", result: "error", message: "服务器暂时无法保存这条记录。" };

test("a record answered error stays in the outbox until the bound, then needs attention", async () => {
  const store = memoryStore([{ id: "r1", state: "outbox", updated_at: "0", answers: { income: {} } }]);
  const engine = new SyncEngine(store, null);
  for (let answer = 1; answer < MAX_ERROR_ANSWERS; answer += 1) {
    await engine.apply(error, store.stored.get("r1"));
    assert.equal(store.stored.get("r1").state, "outbox");
    assert.equal(store.stored.get("r1").server_errors, answer);
  }
  await engine.apply(error, store.stored.get("r1"));
  const kept = store.stored.get("r1");
  assert.equal(kept.state, "invalid");
  assert.deepEqual(kept.issues, [{ path: "", code: "server_error", message: "服务器暂时无法保存这条记录。" }]);
  assert.deepEqual(kept.answers, { income: {} });
});

test("an error answer for a record edited meanwhile changes nothing", async () => {
  const store = memoryStore([{ id: "r1", state: "outbox", updated_at: "7" }]);
  await new SyncEngine(store, null).apply(error, { id: "r1", updated_at: "6" });
  assert.equal(store.stored.get("r1").server_errors, undefined);
});

test("a record answered error is sent once a run, not again at once, and the others go on", async () => {
  const records = ["r1", "r2", "r3"].map((id, index) => ({ id, state: "outbox", updated_at: String(index), answers: {} }));
  const store = memoryStore(records);
  store.recordsInState = async (state) => [...store.stored.values()].filter((record) => record.state === state);
  const sent = [];
  const api = {
    async request(_method, _url, { json }) {
      sent.push(...json.records.map((record) => record.id));
      const results = json.records.map(({ id }) => (id === "r1" ? { ...error, id } : { id, result: "created", revision: 1 }));
      return { ok: true, status: 200, json: async () => ({ results }) };
    },
  };
  const engine = new SyncEngine(store, api);
  engine.batchSize = 1;
  await engine.pushRecords();
  assert.deepEqual(sent, ["r1", "r2", "r3"]);
  assert.equal(store.stored.get("r1").state, "outbox");
  assert.equal(store.stored.get("r1").server_errors, 1);
  assert.deepEqual([store.stored.get("r2").state, store.stored.get("r3").state], ["sent", "sent"]);
});
