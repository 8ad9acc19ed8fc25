// The only code that touches IndexedDB. One database per user on this phone, so two
// cadres sharing a phone never see each other's records. The schema is upgraded by
// version number; an upgrade only ever adds.
import { openDB } from "../../vendor/idb-8.0.4/idb.js";

const SCHEMA_VERSION = 2;

// Record states on the phone (see docs/sync.md):
//   draft → outbox → sent → (deleted once approved or replaced)
//   sent → returned (reviewer comments) → outbox again as a correction
//   outbox → invalid (server refused; fix and finish again) | conflict (kept, shown)
export const STATES = ["draft", "outbox", "sent", "returned", "invalid", "conflict", "done", "recorded"];

// The households store holds what the list shows (one small row each); what a household's
// form needs (roster prefill, threshold, last year) is its `forms` row, fetched after the list
// is drawn; `rosters` holds the names and ID numbers of that form, what the search reads,
// so that it never reads the heavy rows.
export async function openStore(userId) {
  const db = await openDB(`ruhu-user-${userId}`, SCHEMA_VERSION, {
    upgrade(database, oldVersion, _newVersion, transaction) {
      if (oldVersion < 1) {
        database.createObjectStore("meta", { keyPath: "key" });
        database.createObjectStore("households", { keyPath: "id" });
        const records = database.createObjectStore("records", { keyPath: "id" });
        records.createIndex("state", "state");
        records.createIndex("household_id", "household_id");
        database.createObjectStore("bundles", { keyPath: "key" });
        database.createObjectStore("files", { keyPath: "sha256" });
      }
      if (oldVersion < 2) {
        database.createObjectStore("forms", { keyPath: "id" });
        database.createObjectStore("rosters", { keyPath: "id" });
        if (oldVersion === 1) splitHouseholds(transaction);  // the phone may be offline: keep every form
      }
    },
  });
  return new Store(db);
}

// Schema 1 kept each form inside its household row.
async function splitHouseholds(transaction) {
  const households = transaction.objectStore("households");
  for (const { prefill, threshold, last_year, ...household } of await households.getAll()) {
    households.put(household);
    if (prefill) putForm(transaction, { id: household.id, threshold, prefill, last_year });
  }
}

function putForm(transaction, form) {
  transaction.objectStore("forms").put(form);
  const members = (form.prefill.members ?? []).map(({ name, id_number }) => ({ name, id_number }));
  transaction.objectStore("rosters").put({ id: form.id, members });
}

export class Store {
  constructor(db) {
    this.db = db;
  }

  async getMeta(key, fallback = null) {
    return (await this.db.get("meta", key))?.value ?? fallback;
  }

  setMeta(key, value) {
    return this.db.put("meta", { key, value });
  }

  // One transaction for the whole list; the forms of households no longer listed leave the phone.
  async replaceHouseholds(households) {
    const tx = this.db.transaction(["households", "forms", "rosters"], "readwrite");
    const listed = new Set(households.map((household) => household.id));
    const store = tx.objectStore("households");
    store.clear();
    for (const household of households) store.put(household);
    for (const id of await tx.objectStore("rosters").getAllKeys()) {
      if (!listed.has(id)) {
        tx.objectStore("forms").delete(id);
        tx.objectStore("rosters").delete(id);
      }
    }
    await tx.done;
  }

  allHouseholds() {
    return this.db.getAll("households");
  }

  // A household with its form's data (prefill, threshold, last_year) when the phone has it.
  async getHousehold(id) {
    const tx = this.db.transaction(["households", "forms"]);
    const [household, form] = await Promise.all([tx.objectStore("households").get(id), tx.objectStore("forms").get(id)]);
    if (!household) return undefined;
    return { ...household, ...form, id };
  }

  householdIds() {
    return this.db.getAllKeys("households");
  }

  // One transaction per chunk of forms.
  async putForms(forms) {
    const tx = this.db.transaction(["forms", "rosters"], "readwrite");
    for (const form of forms) putForm(tx, form);
    await tx.done;
  }

  allRosters() {
    return this.db.getAll("rosters");
  }

  getRecord(id) {
    return this.db.get("records", id);
  }

  putRecord(record) {
    return this.db.put("records", { ...record, updated_at: new Date().toISOString() });
  }

  deleteRecord(id) {
    return this.db.delete("records", id);
  }

  allRecords() {
    return this.db.getAll("records");
  }

  recordsOfHousehold(householdId) {
    return this.db.getAllFromIndex("records", "household_id", householdId);
  }

  recordsInState(state) {
    return this.db.getAllFromIndex("records", "state", state);
  }

  async countsByState() {
    const counts = Object.fromEntries(STATES.map((state) => [state, 0]));
    const tx = this.db.transaction("records");
    const index = tx.store.index("state");
    await Promise.all(STATES.map(async (state) => { counts[state] = await index.count(state); }));
    return counts;
  }

  getBundle(version, locale) {
    return this.db.get("bundles", `${version}|${locale}`);
  }

  putBundle(version, locale, bundle) {
    return this.db.put("bundles", { key: `${version}|${locale}`, ...bundle });
  }

  putFile(file) {
    return this.db.put("files", file);
  }

  getFile(sha256) {
    return this.db.get("files", sha256);
  }

  deleteFile(sha256) {
    return this.db.delete("files", sha256);
  }
}
