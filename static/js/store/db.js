// The only code that touches IndexedDB. One database per user on this phone, so two
// cadres sharing a phone never see each other's records. The schema is upgraded by
// version number; an upgrade only ever adds.
import { openDB } from "../../vendor/idb-8.0.4/idb.js";

const SCHEMA_VERSION = 1;

// Record states on the phone (see docs/sync.md):
//   draft → outbox → sent → (deleted once approved or replaced)
//   sent → returned (reviewer comments) → outbox again as a correction
//   outbox → invalid (server refused; fix and finish again) | conflict (kept, shown)
export const STATES = ["draft", "outbox", "sent", "returned", "invalid", "conflict", "done", "recorded"];

export async function openStore(userId) {
  const db = await openDB(`ruhu-user-${userId}`, SCHEMA_VERSION, {
    upgrade(database, oldVersion) {
      if (oldVersion < 1) {
        database.createObjectStore("meta", { keyPath: "key" });
        database.createObjectStore("households", { keyPath: "id" });
        const records = database.createObjectStore("records", { keyPath: "id" });
        records.createIndex("state", "state");
        records.createIndex("household_id", "household_id");
        database.createObjectStore("bundles", { keyPath: "key" });
        database.createObjectStore("files", { keyPath: "sha256" });
      }
    },
  });
  return new Store(db);
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

  async replaceHouseholds(households) {
    const tx = this.db.transaction("households", "readwrite");
    await tx.store.clear();
    await Promise.all(households.map((household) => tx.store.put(household)));
    await tx.done;
  }

  allHouseholds() {
    return this.db.getAll("households");
  }

  getHousehold(id) {
    return this.db.get("households", id);
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
