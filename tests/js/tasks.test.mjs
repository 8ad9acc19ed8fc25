import { test } from "node:test";
import assert from "node:assert/strict";
import { pushResults, pullTasks, queueResult, syncTasks } from "../../static/js/sync/tasks.js";

// The store's meta, in memory (the real one is IndexedDB).
function memoryStore() {
  const meta = new Map();
  return {
    meta,
    async getMeta(key, fallback = null) { return meta.has(key) ? structuredClone(meta.get(key)) : fallback; },
    async setMeta(key, value) { meta.set(key, structuredClone(value)); },
  };
}

// An API answering each push with ``answer(item)`` per item, and the tasks given.
function fakeApi({ answer = () => "stored", tasks = [], fail = false } = {}) {
  const sent = [];
  return {
    sent,
    async request(method, url, { json } = {}) {
      if (fail) throw new Error("network down");
      if (method === "POST") {
        sent.push(json.results);
        return { ok: true, json: async () => ({ results: json.results.map((item) => ({ uuid: item.uuid, ...answerOf(answer(item)) })) }) };
      }
      return { ok: true, json: async () => ({ tasks }) };
    },
  };
}
const answerOf = (value) => (typeof value === "string" ? { result: value } : value);
const task = { id: "clue:7", kind: "verify_warning", household_id: 3, due: "2026-07-16" };

test("a result leaves the phone once the server has it, and is resent under the same uuid until then", async () => {
  const store = memoryStore();
  await queueResult(store, task, { result: "risk_found", reason: "", note: "住院" }, "u-1");
  await assert.rejects(pushResults(store, fakeApi({ fail: true })));
  assert.equal((await store.getMeta("taskResults")).length, 1);  // a lost request changes nothing
  const api = fakeApi({ answer: () => "duplicate" });
  await pushResults(store, api);
  assert.equal(api.sent[0][0].uuid, "u-1");
  assert.deepEqual(await store.getMeta("taskResults"), []);
});

test("an invalid result stays with the server's sentence and is not sent again until corrected", async () => {
  const store = memoryStore();
  await queueResult(store, task, { result: "no_risk", reason: "" }, "u-2");
  await pushResults(store, fakeApi({ answer: () => ({ result: "invalid", message: "无风险时请写明理由。" }) }));
  const [kept] = await store.getMeta("taskResults");
  assert.equal(kept.invalid, "无风险时请写明理由。");
  const api = fakeApi();
  await pushResults(store, api);
  assert.equal(api.sent.length, 0);
  await queueResult(store, task, { result: "no_risk", reason: "已报销" }, "u-3");
  await pushResults(store, api);
  assert.deepEqual(await store.getMeta("taskResults"), []);
});

test("a result whose task is gone is dropped; an error keeps it; the tasks are pulled after", async () => {
  const store = memoryStore();
  await queueResult(store, task, { result: "moved", note: "外出" }, "u-4");
  await queueResult(store, { ...task, id: "clue:8" }, { result: "moved", note: "外出" }, "u-5");
  const api = fakeApi({ answer: (item) => (item.uuid === "u-4" ? "conflict" : "error"), tasks: [{ ...task, id: "clue:9" }] });
  await syncTasks(store, api);
  assert.deepEqual((await store.getMeta("taskResults")).map((item) => item.payload.uuid), ["u-5"]);
  assert.deepEqual((await store.getMeta("tasks")).map((item) => item.id), ["clue:9"]);
  await pullTasks(store, fakeApi({ tasks: [] }));
  assert.deepEqual(await store.getMeta("tasks"), []);
});
