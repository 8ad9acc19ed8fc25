// Tasks (docs/sync.md, Tasks): push the task results waiting on this phone, then pull the
// user's tasks. No DOM; kept in the store's meta ("tasks", "taskResults"). What must hold:
// - a result leaves the phone only once the server answered for its uuid that it has it
//   ("stored", "duplicate") or that the task is no longer this phone's ("conflict",
//   "not_found"); an "invalid" one stays, with the server's sentence, to be corrected;
// - a failed or lost request changes nothing, so the next run sends it again under the same
//   uuid, and the server answers "duplicate" if the first copy had arrived.
import { ServerError } from "./engine.js";

const SETTLED = new Set(["stored", "duplicate", "conflict", "not_found"]);
const BATCH = 50;  // the server's MAX_RESULTS

export async function syncTasks(store, api) {
  await pushResults(store, api);
  await pullTasks(store, api);
}

export async function pushResults(store, api) {
  const waiting = (await store.getMeta("taskResults", [])).filter((item) => !item.invalid).slice(0, BATCH);
  if (!waiting.length) return;
  const response = await api.request("POST", "/api/sync/tasks/results", { json: { results: waiting.map((item) => item.payload) } });
  if (!response.ok) throw new ServerError(`${response.status}`);
  const answers = new Map((await response.json()).results.map((answer) => [answer.uuid, answer]));
  const kept = [];
  for (const item of await store.getMeta("taskResults", [])) {  // read again: one may have been added meanwhile
    const answer = answers.get(item.payload.uuid);
    if (answer && SETTLED.has(answer.result)) continue;
    kept.push(answer?.result === "invalid" ? { ...item, invalid: answer.message ?? "" } : item);
  }
  await store.setMeta("taskResults", kept);
}

export async function pullTasks(store, api) {
  const response = await api.request("GET", "/api/sync/tasks");
  if (!response.ok) throw new ServerError(`${response.status}`);
  await store.setMeta("tasks", (await response.json()).tasks);
}

// A result for a task, waiting to be sent; it replaces one not yet taken for the same task.
export async function queueResult(store, task, fields, uuid = crypto.randomUUID()) {
  const waiting = (await store.getMeta("taskResults", [])).filter((item) => item.payload.task_id !== task.id);
  waiting.push({ payload: { uuid, task_id: task.id, ...fields }, household_id: task.household_id,
    queued_at: new Date().toISOString() });
  await store.setMeta("taskResults", waiting);
}
