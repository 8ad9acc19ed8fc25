import { test } from "node:test";
import assert from "node:assert/strict";
import { retryDelay, nextBatchSize, BATCH, MAX_RETRY_MS } from "../../static/js/sync/schedule.js";
import { buildIndex, search } from "../../static/js/core/search.js";
import { Api, SignedOut, SyncEngine } from "../../static/js/sync/engine.js";

test("backoff doubles from 30 s and stops at five minutes", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 20].map(retryDelay), [0, 30000, 60000, 120000, 240000, MAX_RETRY_MS, MAX_RETRY_MS, MAX_RETRY_MS]);
});

test("batches grow while fast and full, shrink on failure, within bounds", () => {
  assert.equal(BATCH.first, 5);
  assert.equal(nextBatchSize(5, { ok: true, elapsedMs: 300, full: true }), 10);
  assert.equal(nextBatchSize(5, { ok: true, elapsedMs: 300, full: false }), 5);
  assert.equal(nextBatchSize(40, { ok: true, elapsedMs: 100, full: true }), 50);
  assert.equal(nextBatchSize(10, { ok: true, elapsedMs: 5000, full: true }), 10);
  assert.equal(nextBatchSize(10, { ok: false }), 5);
  assert.equal(nextBatchSize(1, { ok: false }), 1);
});

const households = [
  { id: 1, household_number: "5323391002010001", group: "第一村民小组", village: "大坪村", head_name: "李春" },
  { id: 2, household_number: "5323391002010002", group: "第二村民小组", village: "大坪村", head_name: "张伟" },
  { id: 3, household_number: "5323391002010003", group: "第二村民小组", village: "大坪村", head_name: "赵六" },
];
const rosters = [
  { id: 1, members: [{ name: "李春", id_number: "53233919750402003X" }, { name: "王梅", id_number: "532339197809200021" }] },
  { id: 2, members: [{ name: "张伟", id_number: "532339196001011237" }] },
];  // household 3's form is not stored yet: found by what the list shows
const index = buildIndex(households, rosters);
const ids = (query) => search(index, query).matches.map((h) => h.id);

test("search by name, ID tail, household number and group", () => {
  assert.deepEqual(ids("王梅"), [1]);
  assert.deepEqual(ids("003x"), [1]);
  assert.deepEqual(ids("００３ｘ"), [1]);
  assert.deepEqual(ids("大坪　张"), [2]);
  assert.deepEqual(ids("1237"), [2]);
  assert.deepEqual(ids("0002"), [2]);
  assert.deepEqual(ids("第二"), [2, 3]);
  assert.deepEqual(ids("大坪 张"), [2]);
  assert.deepEqual(ids(""), [1, 2, 3]);
  assert.deepEqual(ids("赵"), [3]);
  assert.deepEqual(ids("孙"), []);
});

test("search caps what it returns but counts everything", () => {
  const many = buildIndex(Array.from({ length: 120 }, (_, i) => ({ id: i, household_number: `H${i}` })));
  const { matches, total } = search(many, "H", 50);
  assert.equal(matches.length, 50);
  assert.equal(total, 120);
});

const answering = (status, body) => async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

test("a 403 asking for a password change stops sync with the server's sentence and link", async () => {
  const body = { error: 403, code: "password_change_required", message: "请修改密码", location: "/account/password?next=/app" };
  await assert.rejects(new Api(answering(403, body)).session(), (error) => error instanceof SignedOut
    && error.message === "请修改密码" && error.href === "/account/password?next=/app");
  globalThis.navigator ??= { onLine: true };
  const engine = new SyncEngine({}, new Api(answering(403, body)));
  const result = await engine.runOnce();
  clearTimeout(engine.timer);
  assert.equal(result.signedOut, true);
  assert.deepEqual(engine.state.signIn, { text: "请修改密码", href: "/account/password?next=/app" });
});

test("any other 403 is an answer for the caller, not a sign-in", async () => {
  const response = await new Api(answering(403, { error: 403, message: "没有权限" })).request("GET", "/api/sync/records");
  assert.equal(response.status, 403);
});

test("a 401 is a plain sign-in: the app shows its own link", async () => {
  globalThis.navigator ??= { onLine: true };
  const engine = new SyncEngine({}, new Api(answering(401, { error: 401 })));
  assert.equal((await engine.runOnce()).signedOut, true);
  clearTimeout(engine.timer);
  assert.equal(engine.state.signIn, null);
});

test("a run asked for during a run follows it once, so nothing that happened meanwhile waits", async () => {
  const engine = new SyncEngine({}, new Api(answering(200, {})));
  const started = [];
  let finish;
  engine.runOnce = () => { started.push(started.length); return new Promise((resolve) => { finish = resolve; }); };
  const first = engine.run();
  const second = engine.run();
  const third = engine.run();
  assert.equal(started.length, 1);
  assert.equal(second, third, "several asks during one run make one follow-up run");
  finish({ ok: true });
  await first;
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(started.length, 2);
  finish({ ok: true });
  await second;
  assert.equal(started.length, 2);
  assert.equal(engine.running, null);
});

test("the engine says it is busy from a run's start to the end of the last run asked for", async () => {
  const busy = [];
  const engine = new SyncEngine({}, new Api(answering(200, {})), { onBusy: (value) => busy.push(value) });
  let finish;
  engine.runOnce = () => new Promise((resolve) => { finish = resolve; });
  engine.run();
  const followUp = engine.run();
  finish({ ok: true });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(busy, [true, true]);
  finish({ ok: true });
  await followUp;
  assert.deepEqual(busy, [true, true, false]);
});

test("forms are fetched in chunks of 50 households (the server takes up to 200), each stored at once, and a chunk unchanged is a 304", async () => {
  const asked = [];
  const api = new Api(async (url, { headers }) => {
    const chunk = new URL(url, "http://phone").searchParams.get("ids");
    const ids = chunk.split(",").map(Number);
    asked.push([ids.length, headers["If-None-Match"] ?? null]);
    if (headers["If-None-Match"] === `"${chunk.length}"` && ids[0] !== 201) return new Response(null, { status: 304 });
    return new Response(JSON.stringify({ forms: ids.map((id) => ({ id, prefill: { members: [] } })) }),
      { status: 200, headers: { "Content-Type": "application/json", ETag: `"${chunk.length}"` } });
  });
  const meta = new Map();
  const stored = [];
  const store = { householdIds: async () => Array.from({ length: 450 }, (_, i) => i + 1),
    getMeta: async (key, fallback) => meta.get(key) ?? fallback, setMeta: async (key, value) => { meta.set(key, value); },
    putForms: async (forms) => { stored.push(forms.map((form) => form.id)); } };
  const engine = new SyncEngine(store, api);
  await engine.pullForms();
  assert.deepEqual(asked, Array.from({ length: 9 }, () => [50, null]));
  assert.deepEqual(stored.flat(), Array.from({ length: 450 }, (_, i) => i + 1));
  asked.length = 0;
  stored.length = 0;
  await engine.pullForms();  // the second chunk has changed on the server
  assert.deepEqual(asked.map(([count, etag]) => [count, etag !== null]), Array.from({ length: 9 }, () => [50, true]));
  assert.deepEqual(stored.map((ids) => ids[0]), [201]);
  assert.equal(Object.keys(meta.get("formsEtags")).length, 9);
});
