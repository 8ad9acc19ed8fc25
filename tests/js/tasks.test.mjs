import { test } from "node:test";
import assert from "node:assert/strict";
import { pushResults, pullTasks, queueResult, syncTasks } from "../../static/js/sync/tasks.js";

// The store's meta, in memory (the real one is IndexedDB).
function memoryStore() {
  const meta = new Map();
  const files = new Map();
  return {
    meta,
    files,
    async getMeta(key, fallback = null) { return meta.has(key) ? structuredClone(meta.get(key)) : fallback; },
    async setMeta(key, value) { meta.set(key, structuredClone(value)); },
    async getFile(sha256) { return files.get(sha256); },
    async putFile(file) { files.set(file.sha256, file); },
    async deleteFile(sha256) { files.delete(sha256); },
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

// A server holding uploaded files; ``upload`` answers each PUT (a status, or "down": no network).
function photoApi({ upload = () => 200 } = {}) {
  const sent = [];
  const held = new Map();
  const reply = (status, body) => ({ ok: status < 300, status, json: async () => body });
  return {
    sent,
    held,
    async request(method, url, { json, body } = {}) {
      const sha256 = url.split("/").pop();
      if (method === "GET") return held.has(sha256) ? reply(200, { received: held.get(sha256) }) : reply(404, {});
      if (method === "PUT") {
        const status = upload(sha256);
        if (status === "down") throw new TypeError("Failed to fetch");
        if (status !== 200) return reply(status, { message: "只能上传 JPEG 或 PNG 图片。" });
        held.set(sha256, (held.get(sha256) ?? 0) + body.size);
        return reply(200, { received: held.get(sha256) });
      }
      sent.push(json.results);
      return reply(200, { results: json.results.map((item) => ({ uuid: item.uuid, result: "stored" })) });
    },
  };
}
const photo = (sha256) => ({ sha256, blob: new Blob(["jpeg bytes"]), size: 10, content_type: "image/jpeg" });

test("a result waits on the phone until its photo is up, and the others go meanwhile", async () => {
  const store = memoryStore();
  await queueResult(store, task, { result: "risk_found", note: "房屋漏雨" }, "u-6", photo("a".repeat(64)));
  await queueResult(store, { ...task, id: "clue:8" }, { result: "moved", note: "外出" }, "u-7");
  let network = "down";
  const api = photoApi({ upload: () => network });
  await assert.rejects(pushResults(store, api));  // the run fails, so it is retried
  assert.deepEqual(api.sent.map((batch) => batch.map((item) => item.uuid)), [["u-7"]]);
  assert.deepEqual((await store.getMeta("taskResults")).map((item) => item.payload.uuid), ["u-6"]);
  assert.equal(store.files.get("a".repeat(64)).uploaded, false);
  network = 200;
  await pushResults(store, api);
  assert.equal(api.held.get("a".repeat(64)), 10);  // the photo went before its result
  assert.deepEqual(api.sent[1], [{ uuid: "u-6", task_id: "clue:7", result: "risk_found", note: "房屋漏雨",
    photo_sha256: "a".repeat(64) }]);
  assert.deepEqual(await store.getMeta("taskResults"), []);
  assert.equal(store.files.size, 0);  // the photo leaves the phone with its result
});

test("a photo the server refuses makes its result invalid with the server's sentence", async () => {
  const store = memoryStore();
  await queueResult(store, task, { result: "no_risk", reason: "已报销" }, "u-8", photo("b".repeat(64)));
  const api = photoApi({ upload: () => 415 });
  await pushResults(store, api);
  const [kept] = await store.getMeta("taskResults");
  assert.equal(kept.invalid, "只能上传 JPEG 或 PNG 图片。");
  assert.equal(api.sent.length, 0);
  // Taken again without the photo (or with another one): the refused file is forgotten.
  await queueResult(store, task, { result: "no_risk", reason: "已报销" }, "u-9");
  assert.equal(store.files.size, 0);
  await pushResults(store, api);
  assert.deepEqual(await store.getMeta("taskResults"), []);
});

test("a corrected result keeps the photo it names", async () => {
  const store = memoryStore();
  await queueResult(store, task, { result: "no_risk", reason: "" }, "u-10", photo("c".repeat(64)));
  await queueResult(store, task, { result: "no_risk", reason: "已报销", photo_sha256: "c".repeat(64) }, "u-11");
  assert.deepEqual([...store.files.keys()], ["c".repeat(64)]);
  const api = photoApi();
  await pushResults(store, api);
  assert.equal(api.sent[0][0].photo_sha256, "c".repeat(64));
  assert.equal(store.files.size, 0);
});
