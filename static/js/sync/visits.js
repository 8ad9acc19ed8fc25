// The visit log (走访记录, docs/sync.md): visits recorded offline wait in the store's meta
// ("visits"); their photos (home visits only) are uploaded first, then the visits are pushed
// to /api/sync/visits (sync/outbox.js says what must hold). A visit the server has leaves
// the phone with its photo. No DOM.
import { uploadFile } from "./engine.js";
import { pushWaiting, saveItem } from "./outbox.js";

export const KEY = "visits";

export async function syncVisits(store, api) {
  for (const visit of await store.getMeta(KEY, [])) {
    const file = visit.state === "outbox" && visit.photo ? await store.getFile(visit.photo.sha256) : null;
    if (file && !file.uploaded) await uploadFile(store, api, file);
  }
  await pushWaiting(store, api, {
    key: KEY, url: "/api/sync/visits", list: "visits", payload,
    settled: async (visit) => {
      if (visit.photo) await store.deleteFile(visit.photo.sha256);
      return null;
    },
  });
}

export function payload(visit) {
  return {
    id: visit.id, household_id: visit.household_id, visit_date: visit.visit_date, kind: visit.kind, met: visit.met,
    member_changes: visit.member_changes, income_change: visit.income_change,
    per_capita_income: visit.per_capita_income, problems: visit.problems, assistance: visit.assistance,
    measure_ids: visit.measure_ids, carried_out: visit.carried_out ?? [], photo_sha256: visit.kind === "home_visit" ? visit.photo?.sha256 ?? null : null,
    risk_found: visit.risk_found, risk_note: visit.risk_found ? visit.risk_note : "",
  };
}

// A visit to send; a correction of one the server refused (``replacing``) goes under a new id,
// since the refusal may have been of its id.
export function queueVisit(store, fields, { id = crypto.randomUUID(), replacing = null } = {}) {
  return saveItem(store, KEY, { ...fields, id, state: "outbox", message: null, field: null }, replacing);
}

export async function waitingVisits(store) {
  return store.getMeta(KEY, []);
}
