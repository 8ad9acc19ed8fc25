// Audit copies (审核复核表, docs/sync.md): the auditor's census form for a sampled household,
// kept in the store's meta ("auditCopies"), never among the records: it never replaces the
// household's record. A finished copy is pushed to /api/sync/audits (sync/outbox.js says what
// must hold); once the server has it the phone keeps only its outcome. No DOM.
import { pushWaiting, saveItem } from "./outbox.js";

export const KEY = "auditCopies";

export function syncAudits(store, api) {
  return pushWaiting(store, api, {
    key: KEY, url: "/api/sync/audits", list: "copies",
    payload: (copy) => ({ id: copy.id, sample_id: copy.sample_id, answers: copy.answers }),
    settled: (copy, answer) => ({ ...copy, state: "sent", outcome: answer.outcome ?? null, answers: null }),
  });
}

export async function auditCopy(store, sampleId) {
  return (await store.getMeta(KEY, [])).find((copy) => copy.sample_id === sampleId) ?? null;
}

// ``replacing``: the id of a refused copy this one corrects.
export function saveCopy(store, copy, replacing = null) {
  return saveItem(store, KEY, copy, replacing);
}
