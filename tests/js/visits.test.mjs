import { test } from "node:test";
import assert from "node:assert/strict";
import { queueVisit, syncVisits } from "../../static/js/sync/visits.js";
import { saveCopy, syncAudits } from "../../static/js/sync/audits.js";

// The store's meta and files, in memory (the real one is IndexedDB).
function memoryStore() {
  const meta = new Map();
  const files = new Map();
  return {
    meta, files,
    async getMeta(key, fallback = null) { return meta.has(key) ? structuredClone(meta.get(key)) : fallback; },
    async setMeta(key, value) { meta.set(key, structuredClone(value)); },
    async getFile(sha256) { return files.get(sha256); },
    async putFile(file) { files.set(file.sha256, file); },
    async deleteFile(sha256) { files.delete(sha256); },
  };
}

// An API answering each pushed item with ``answer(item)``; file uploads are taken whole.
function fakeApi(answer = () => "created", { fail = false } = {}) {
  const sent = [];
  const uploads = [];
  return {
    sent, uploads,
    async request(method, url, { json, body } = {}) {
      if (fail) throw new Error("network down");
      if (url.startsWith("/api/attachments/")) {
        if (method === "GET") return { ok: false, status: 404, json: async () => ({}) };
        uploads.push(url);
        return { ok: true, json: async () => ({ received: body.size }) };
      }
      const items = json.visits ?? json.copies;
      sent.push(items);
      return { ok: true, json: async () => ({ results: items.map((item) => {
        const value = answer(item);
        return { id: item.id, ...(typeof value === "string" ? { result: value } : value) };
      }) }) };
    },
  };
}

const fields = { household_id: 3, visit_date: "2026-12-01", kind: "call", met: "户主", member_changes: "",
  income_change: "down", per_capita_income: "5,600.50", problems: "", assistance: "", measure_ids: [],
  photo: null, risk_found: false, risk_note: "" };

test("a visit leaves the phone with its photo once the server has it, and is resent under its id until then", async () => {
  const store = memoryStore();
  const blob = new Blob(["photo"], { type: "image/jpeg" });
  await store.putFile({ sha256: "a".repeat(64), blob, size: blob.size, content_type: "image/jpeg", uploaded: false });
  await queueVisit(store, { ...fields, kind: "home_visit", photo: { sha256: "a".repeat(64), size: blob.size } }, { id: "v-1" });
  await assert.rejects(syncVisits(store, fakeApi(() => "created", { fail: true })));
  assert.equal((await store.getMeta("visits")).length, 1);  // a lost request changes nothing
  const api = fakeApi(() => "duplicate");
  await syncVisits(store, api);
  assert.deepEqual(api.uploads, [`/api/attachments/${"a".repeat(64)}`]);  // the photo first
  assert.equal(api.sent[0][0].id, "v-1");
  assert.equal(api.sent[0][0].photo_sha256, "a".repeat(64));
  assert.deepEqual(await store.getMeta("visits"), []);
  assert.equal(store.files.size, 0);
});

test("a refused visit stays with the server's sentence, is not resent, and its correction replaces it", async () => {
  const store = memoryStore();
  await queueVisit(store, fields, { id: "v-2" });
  await queueVisit(store, { ...fields, kind: "wechat", photo: { sha256: "b".repeat(64) } }, { id: "v-3" });
  await syncVisits(store, fakeApi((item) => (item.id === "v-2" ? { result: "invalid", message: "走访日期不能晚于今天。" } : "error")));
  const kept = await store.getMeta("visits");
  assert.deepEqual(kept.map((visit) => [visit.id, visit.state, visit.message]), [
    ["v-2", "invalid", "走访日期不能晚于今天。"], ["v-3", "outbox", null]]);  // an error: sent again next time
  const api = fakeApi(() => "error");
  await syncVisits(store, api);
  assert.deepEqual(api.sent[0].map((item) => item.id), ["v-3"]);
  assert.equal(api.sent[0][0].photo_sha256, null);  // only a home visit carries a photo
  await queueVisit(store, { ...fields, visit_date: "2026-11-30" }, { id: "v-4", replacing: "v-2" });
  assert.deepEqual((await store.getMeta("visits")).map((visit) => [visit.id, visit.state]), [["v-3", "outbox"], ["v-4", "outbox"]]);
});

test("an audit copy keeps only its outcome once the server has it; a draft is never sent", async () => {
  const store = memoryStore();
  await saveCopy(store, { id: "c-1", sample_id: 5, answers: { income: {} }, state: "outbox" });
  await saveCopy(store, { id: "c-2", sample_id: 6, answers: { income: {} }, state: "draft" });
  const api = fakeApi(() => ({ result: "created", outcome: "discrepancy" }));
  await syncAudits(store, api);
  assert.deepEqual(api.sent[0], [{ id: "c-1", sample_id: 5, answers: { income: {} } }]);
  const copies = Object.fromEntries((await store.getMeta("auditCopies")).map((copy) => [copy.id, copy]));
  assert.deepEqual([copies["c-1"].state, copies["c-1"].outcome, copies["c-1"].answers], ["sent", "discrepancy", null]);
  assert.equal(copies["c-2"].state, "draft");
});

test("a copy changed while its push was under way is left for the next run", async () => {
  const store = memoryStore();
  await saveCopy(store, { id: "c-3", sample_id: 7, answers: { a: 1 }, state: "outbox" });
  const api = fakeApi(() => "created");
  const request = api.request;
  api.request = async (...args) => {
    const [stored] = await store.getMeta("auditCopies");
    await saveCopy(store, { ...stored, answers: { a: 2 } });  // the auditor edits meanwhile
    return request(...args);
  };
  await syncAudits(store, api);
  const [copy] = await store.getMeta("auditCopies");
  assert.deepEqual([copy.state, copy.answers], ["outbox", { a: 2 }]);
});

test("a visit carries the measures it reports carried out, and a refusal keeps the field it was about", async () => {
  const store = memoryStore();
  await queueVisit(store, { ...fields, measure_ids: [7, 8], carried_out: [{ measure_id: 7, on: "2026-11-30" }] }, { id: "v-5" });
  await queueVisit(store, fields, { id: "v-6" });  // one saved before: it sends none
  const api = fakeApi((item) => (item.id === "v-5"
    ? { result: "invalid", message: "日期不能晚于今天。", field: "carried_out.7" } : "created"));
  await syncVisits(store, api);
  assert.deepEqual(api.sent[0].map((item) => [item.id, item.carried_out]), [
    ["v-5", [{ measure_id: 7, on: "2026-11-30" }]], ["v-6", []]]);
  const [kept] = await store.getMeta("visits");
  assert.deepEqual([kept.id, kept.state, kept.field], ["v-5", "invalid", "carried_out.7"]);
});

test("a carried-out day is checked as the server checks it", async () => {
  const { checkCarriedOut } = await import("../../static/js/ui/visits.js");
  const ok = { on: "2026-12-01", declaredOn: "2026-11-20", today: "2026-12-03" };
  assert.equal(checkCarriedOut(ok), null);
  assert.equal(checkCarriedOut({ ...ok, on: "2026-11-20" }), null);  // the day it was declared
  assert.deepEqual(checkCarriedOut({ ...ok, on: "" }), ["请填写落实日期。", {}]);
  assert.deepEqual(checkCarriedOut({ ...ok, on: "2026-12-04" }), ["日期不能晚于今天。", {}]);
  assert.deepEqual(checkCarriedOut({ ...ok, on: "2026-11-19" }),
    ["落实日期不能早于申报日期 %(date)s。", { date: "2026-11-20" }]);
});

test("the visit form says what is wrong before the server does", async () => {
  const { check, localToday } = await import("../../static/js/ui/visits.js");
  const ok = { date: "2026-12-01", today: "2026-12-03", income: "", risk: false, riskNote: "" };
  assert.equal(check(ok), null);
  assert.equal(check({ ...ok, income: "８，７００.５" }), null);  // as the keyboard gives it: read as money.js reads it
  assert.equal(check({ ...ok, date: "" }), "请填写走访日期。");
  assert.equal(check({ ...ok, date: "2026-12-04" }), "走访日期不能晚于今天。");
  assert.equal(check({ ...ok, income: "五千" }), "人均纯收入应为以元计的金额。");
  assert.equal(check({ ...ok, income: "-3" }), "人均纯收入不能为负数。");
  assert.equal(check({ ...ok, risk: true, riskNote: "  " }), "发现风险时请说明情况。");
  assert.equal(localToday(new Date(2026, 0, 5, 23, 30)), "2026-01-05");
});
