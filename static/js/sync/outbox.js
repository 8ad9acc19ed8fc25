// Items the phone made offline that wait in the store's meta under one key (visits, audit
// copies), each {id (a uuid, the server's key), state, saved_at, ...}, pushed to an endpoint
// that answers one result per item (docs/sync.md, Tasks, visits and audit copies). No DOM.
// What must hold:
// - an item leaves "outbox" only on the server's answer for its id: "created" or "duplicate"
//   (then ``settled`` says what the phone keeps of it: null, nothing) or "invalid" (kept, with
//   the server's sentence, and not sent again until corrected); "error", no answer or a failed
//   request change nothing, so the next run sends it again under the same id;
// - an item changed while its request was under way is left for the next run.
import { ServerError } from "./engine.js";

const BATCH = 50;  // the server's batch limit

// One read-and-write of a key at a time (a keystroke's save beside a push's answers), so
// neither writes back a list the other has changed.
const turns = new Map();
function inTurn(key, work) {
  const turn = (turns.get(key) ?? Promise.resolve()).then(work);
  turns.set(key, turn.catch(() => {}));
  return turn;
}

export async function pushWaiting(store, api, { key, url, list, payload, settled }) {
  const waiting = (await store.getMeta(key, [])).filter((item) => item.state === "outbox").slice(0, BATCH);
  if (!waiting.length) return;
  const response = await api.request("POST", url, { json: { [list]: waiting.map(payload) } });
  if (!response.ok) throw new ServerError(`${response.status}`);
  const answers = new Map((await response.json()).results.map((answer) => [answer.id, answer]));
  const sent = new Map(waiting.map((item) => [item.id, item.saved_at]));
  await inTurn(key, async () => {
    const kept = [];
    for (const item of await store.getMeta(key, [])) {  // read again: one may have been added or changed meanwhile
      const answer = sent.get(item.id) === item.saved_at ? answers.get(item.id) : undefined;
      if (answer?.result === "created" || answer?.result === "duplicate") {
        const left = await settled(item, answer);
        if (left) kept.push(left);
      } else if (answer?.result === "invalid") {
        kept.push({ ...item, state: "invalid", message: answer.message ?? "", field: answer.field ?? null });
      } else {
        kept.push(item);
      }
    }
    await store.setMeta(key, kept);
  });
}

// Keep ``item``, saved now, in place of the one with its id (or the id ``replacing``).
export function saveItem(store, key, item, replacing = null) {
  return inTurn(key, async () => {
    const items = (await store.getMeta(key, [])).filter((other) => other.id !== item.id && other.id !== replacing);
    items.push({ ...item, saved_at: `${new Date().toISOString()}-${crypto.randomUUID()}` });
    await store.setMeta(key, items);
  });
}
