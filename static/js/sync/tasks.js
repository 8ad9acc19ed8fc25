// Tasks (docs/sync.md, Tasks): push the task results waiting on this phone, then pull the
// user's tasks. No DOM; kept in the store's meta ("tasks", "taskResults"). What must hold:
// - a result leaves the phone only once the server answered for its uuid that it has it
//   ("stored", "duplicate") or that the task is no longer this phone's ("conflict",
//   "not_found"); an "invalid" one stays, with the server's sentence, to be corrected;
// - a failed or lost request changes nothing, so the next run sends it again under the same
//   uuid, and the server answers "duplicate" if the first copy had arrived;
// - a result with a photo (its file in the store's files, by SHA-256) is sent only once the
//   photo is up: while its upload fails the result waits, and the others still go; a photo
//   the server refuses for good makes the result "invalid" with the server's sentence. The
//   photo's file leaves the phone with the last result naming it.
import { ServerError, SignedOut, UploadRefused, uploadFile } from "./engine.js";

const SETTLED = new Set(["stored", "duplicate", "conflict", "not_found"]);
const BATCH = 50;  // the server's MAX_RESULTS

export async function syncTasks(store, api) {
  await pushResults(store, api);
  await pullTasks(store, api);
}

export async function pushResults(store, api) {
  const refused = new Map();  // uuid → the server's sentence about its photo
  let held = null;  // why a photo is not up yet: thrown after the others went, so the run is retried
  const ready = [];
  for (const item of (await store.getMeta("taskResults", [])).filter((item) => !item.invalid)) {
    if (ready.length === BATCH) break;
    try {
      await photoUp(store, api, item.payload.photo_sha256);
      ready.push(item);
    } catch (error) {
      if (error instanceof UploadRefused) refused.set(item.payload.uuid, error.message);
      else if (error instanceof SignedOut) throw error;
      else held ??= error;
    }
  }
  const answers = ready.length ? await send(api, ready) : new Map();
  const kept = [];
  const gone = [];
  for (const item of await store.getMeta("taskResults", [])) {  // read again: one may have been added meanwhile
    const answer = answers.get(item.payload.uuid);
    if (answer && SETTLED.has(answer.result)) {
      gone.push(item);
      continue;
    }
    const invalid = answer?.result === "invalid" ? answer.message ?? "" : refused.get(item.payload.uuid);
    kept.push(invalid === undefined ? item : { ...item, invalid });
  }
  await store.setMeta("taskResults", kept);
  await forgetPhotos(store, gone, kept);
  if (held) throw held;
}

async function send(api, items) {
  const response = await api.request("POST", "/api/sync/tasks/results", { json: { results: items.map((item) => item.payload) } });
  if (!response.ok) throw new ServerError(`${response.status}`);
  return new Map((await response.json()).results.map((answer) => [answer.uuid, answer]));
}

async function photoUp(store, api, sha256) {
  if (!sha256) return;
  const file = await store.getFile(sha256);
  if (file && !file.uploaded) await uploadFile(store, api, file);
}

// The photos of results that left (or were replaced), unless a result still waiting names them.
async function forgetPhotos(store, gone, kept) {
  const named = new Set(kept.map((item) => item.payload.photo_sha256).filter(Boolean));
  for (const item of gone) {
    const sha256 = item.payload.photo_sha256;
    if (sha256 && !named.has(sha256)) await store.deleteFile(sha256);
  }
}

export async function pullTasks(store, api) {
  await storeTasks(store, await api.request("GET", "/api/sync/tasks"));
}

// The tasks of an answer to GET /api/sync/tasks, kept in the store.
export async function storeTasks(store, response) {
  if (!response.ok) throw new ServerError(`${response.status}`);
  await store.setMeta("tasks", (await response.json()).tasks);
}

// A result for a task, waiting to be sent; it replaces one not yet taken for the same task.
// ``photo`` is the downscaled image to send with it (kept in the store's files until it is up).
export async function queueResult(store, task, fields, uuid = crypto.randomUUID(), photo = null) {
  const all = await store.getMeta("taskResults", []);
  const waiting = all.filter((item) => item.payload.task_id !== task.id);
  const payload = { uuid, task_id: task.id, ...fields };
  if (photo) {
    await store.putFile({ ...photo, uploaded: false });
    payload.photo_sha256 = photo.sha256;
  }
  waiting.push({ payload, household_id: task.household_id, queued_at: new Date().toISOString() });
  await store.setMeta("taskResults", waiting);
  await forgetPhotos(store, all.filter((item) => item.payload.task_id === task.id), waiting);
}
