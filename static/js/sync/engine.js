// Sync: push the outbox and its files, pull assigned households, the state of sent records
// and, last, the households' forms (in chunks; the list is drawn before). No DOM here. The protocol is docs/sync.md; what must hold:
// - a record is never deleted before the server has it AND it is final: approved (then the
//   phone keeps it read-only as the household's "done" mark, without its files), or a second
//   record of a household that the village has resolved; a failed or lost request changes
//   nothing locally, so the retry resends it, and the server answers "duplicate";
// - a household with a record on the server is never offered a new draft: the phone keeps a
//   mark of every such record (done, or recorded elsewhere and under review);
// - one run at a time; failures back off exponentially (schedule.js), capped at 5 min;
// - a record answered "error" MAX_ERROR_ANSWERS times running leaves the outbox as "invalid"
//   with the server's sentence, so that one record the server cannot store never wedges the
//   phone's sync; it is never deleted; it is sent once a run, so those answers are as far
//   apart as the runs and a passing fault (the database restarting) does not use them up;
// - a 401 stops the run and keeps everything: after signing in again the outbox continues;
//   so does a 403 "password_change_required" (an admin reset the password), whose sentence
//   and link to the change page the app shows instead of the sign-in link.
import { BATCH, MAX_ERROR_ANSWERS, MAX_RETRY_MS, nextBatchSize, retryDelay } from "./schedule.js";

// Sync waits for the user on a web page: signing in, or (with the server's sentence and link)
// changing a password that an admin reset.
export class SignedOut extends Error {
  constructor(message = "", href = null) {
    super(message);
    this.href = href;
  }
}
export class ServerError extends Error {}
// The server will never take this file (too large, not an image, bytes not matching their
// name): sending it again cannot help. ``message`` is the server's sentence.
export class UploadRefused extends ServerError {}
const REFUSED = new Set([400, 413, 415, 422]);

const REQUEST_TIMEOUT_MS = 30_000;
const CHUNK_BYTES = 256 * 1024;
// Households' forms a request, within the server's bound (app/sync/queries.py, 200): a chunk is
// parsed and stored in one go, which holds the page meanwhile; smaller ones keep a form being
// filled in on a first open answering (Lighthouse's total blocking time).
const FORMS_PER_REQUEST = 50;

export class Api {
  constructor(fetchImpl = (...args) => fetch(...args)) {
    this.fetch = fetchImpl;
    this.csrfToken = null;
  }

  async request(method, url, { json, body, headers = {}, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      const response = await this.fetch(url, {
        method,
        credentials: "same-origin",
        signal: controller.signal,
        headers: {
          Accept: "application/json",
          ...(json !== undefined ? { "Content-Type": "application/json" } : {}),
          ...(method !== "GET" && this.csrfToken ? { "X-CSRFToken": this.csrfToken } : {}),
          ...headers,
        },
        body: json !== undefined ? JSON.stringify(json) : body,
      });
      if (response.status === 401) throw new SignedOut();
      if (response.status === 403) {
        const body = await response.clone().json().catch(() => null);
        if (body?.code === "password_change_required") throw new SignedOut(body.message, body.location);
      }
      if (response.status >= 500) throw new ServerError(`${response.status}`);
      return response;
    } finally {
      clearTimeout(timer);
    }
  }

  async session() {
    const response = await this.request("GET", "/api/session");
    const session = await response.json();
    this.csrfToken = session.csrf_token;
    return session;
  }
}

async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
export { sha256Hex };

// A stored file to /api/attachments (a record's files, a task's or a visit's photo), resumable
// (docs/sync.md, Attachments): ask how much the server has, then send the rest in chunks; the
// stored file is marked uploaded once the server holds it whole.
export async function uploadFile(store, api, file) {
  const url = `/api/attachments/${file.sha256}`;
  const status = await api.request("GET", url);
  let received = status.ok ? (await status.json()).received : 0;
  while (received < file.size) {
    const end = Math.min(received + CHUNK_BYTES, file.size);
    const response = await api.request("PUT", url, {
      body: file.blob.slice(received, end),
      headers: { "Content-Type": file.content_type, "Content-Range": `bytes ${received}-${end - 1}/${file.size}` },
    });
    if (response.status === 409) {
      received = (await response.json()).received;  // the server has a different amount: continue from there
      continue;
    }
    if (REFUSED.has(response.status)) throw new UploadRefused((await response.json().catch(() => ({}))).message ?? "");
    if (!response.ok) throw new ServerError(`${response.status}`);
    received = (await response.json()).received;
  }
  await store.putFile({ ...file, uploaded: true });
}

export class SyncEngine {
  // hooks: more to sync after the records, each (store, api) => Promise (the tasks: sync/tasks.js).
  // onBusy(true | false): a run began, or the last run asked for ended (a follow-up included).
  // onSession(user): who the server says is signed in, at the start of every run; session: its
  // answer already in hand for the first run (the app's very first start asks before it).
  // onHouseholds(campaign, households): a list just pulled, before it is stored (the app draws
  // it at once); households: the first run's households request, already under way (a very
  // first start sends it beside the session's).
  constructor(store, api, { onChange = () => {}, onBusy = () => {}, onSession = () => {}, now = () => Date.now(),
    hooks = [], session = null, onHouseholds = () => {}, households = null } = {}) {
    this.store = store;
    this.api = api;
    this.hooks = hooks;
    this.onBusy = onBusy;
    this.onSession = onSession;
    this.session = session;
    this.onHouseholds = onHouseholds;
    this.householdsAsked = households;
    this.onChange = onChange;
    this.now = now;
    this.batchSize = BATCH.first;
    this.failures = 0;
    this.running = null;
    this.followUp = null;
    this.timer = null;
    // signIn: the server's {text, href} for what the user must do on a web page, when it said.
    this.state = { signedOut: false, signIn: null, lastError: null, nextRetryAt: null };
  }

  // Run now. Asked during a run (a tap on sync, a record just finished, the network back), one
  // more run follows it: the run in progress may have pulled and pushed before that happened.
  run() {
    if (this.running) {
      this.followUp ??= this.running.catch(() => {}).then(() => { this.followUp = null; return this.run(); });
      return this.followUp;
    }
    this.onBusy(true);
    this.running = this.runOnce().finally(() => {
      this.running = null;
      if (!this.followUp) this.onBusy(false);
    });
    return this.running;
  }

  schedule(delayMs) {
    clearTimeout(this.timer);
    this.state.nextRetryAt = delayMs ? this.now() + delayMs : null;
    if (delayMs) this.timer = setTimeout(() => this.run(), delayMs);
  }

  async runOnce() {
    if (!navigator.onLine) {
      this.onChange();
      return { ok: false, offline: true };
    }
    try {
      const session = this.session ?? await this.api.session();
      this.session = null;
      this.state.signedOut = false;
      this.state.signIn = null;
      this.onSession(session.user);
      await this.pushFiles();
      await this.pushRecords();
      await this.pullHouseholds();
      await this.pullRecords();
      for (const hook of this.hooks) await hook(this.store, this.api);
      await this.pullForms();
      await this.store.setMeta("lastSync", new Date(this.now()).toISOString());
      this.failures = 0;
      this.state.lastError = null;
      this.schedule(MAX_RETRY_MS);  // while the app is open, look again every few minutes
      return { ok: true, session };
    } catch (error) {
      if (error instanceof SignedOut) {
        this.state.signedOut = true;  // nothing is retried until the user signs in again
        this.state.signIn = error.href ? { text: error.message, href: error.href } : null;
        this.schedule(0);
        return { ok: false, signedOut: true };
      }
      this.failures += 1;
      this.state.lastError = String(error.message ?? error);
      this.schedule(retryDelay(this.failures));
      return { ok: false, error };
    } finally {
      this.householdsAsked = null;  // the first run's alone
      this.onChange();
    }
  }

  async pushRecords() {
    const answeredError = new Set();  // this run's: sent again in the next run, not at once
    for (;;) {
      const waiting = (await this.store.recordsInState("outbox")).filter((record) => !answeredError.has(record.id))
        .sort((a, b) => a.updated_at.localeCompare(b.updated_at));
      if (!waiting.length) return;
      const batch = waiting.slice(0, this.batchSize);
      const started = this.now();
      let response;
      try {
        response = await this.api.request("POST", "/api/sync/records", { json: { records: batch.map(payload) } });
      } catch (error) {
        if (!(error instanceof SignedOut)) this.batchSize = nextBatchSize(this.batchSize, { ok: false });
        throw error;
      }
      if (response.status === 413) {  // too much in one request: try again with fewer
        this.batchSize = nextBatchSize(this.batchSize, { ok: false });
        continue;
      }
      if (!response.ok) throw new ServerError(`${response.status}`);
      const { results } = await response.json();
      this.batchSize = nextBatchSize(this.batchSize, { ok: true, elapsedMs: this.now() - started, full: batch.length === this.batchSize });
      for (const result of results) {
        if (result.result === "error") answeredError.add(result.id);
        await this.apply(result, batch.find((record) => record.id === result.id));
      }
      this.onChange();
    }
  }

  async apply(result, record) {
    if (!record) return;
    const current = await this.store.getRecord(record.id);
    if (!current || current.updated_at !== record.updated_at) return;  // edited meanwhile: send again later
    if (result.result === "created" || result.result === "duplicate") {
      await this.store.putRecord({ ...current, state: "sent", revision: result.revision, server_status: result.status,
        complete: result.complete, missing_attachments: result.missing_attachments ?? [], issues: [], comments: [] });
    } else if (result.result === "conflict") {
      await this.store.putRecord({ ...current, state: "conflict",
        conflict: { kind: result.kind ?? "content", record: result.record ?? null, revision: result.revision,
          status: result.status, diff: result.diff ?? [] } });
    } else if (result.result === "invalid") {
      await this.store.putRecord({ ...current, state: "invalid", issues: result.issues ?? [] });
    } else if (result.result === "error") {  // a fault on the server kept nothing: retried, a bounded number of times
      const errors = (current.server_errors ?? 0) + 1;
      await this.store.putRecord(errors < MAX_ERROR_ANSWERS ? { ...current, server_errors: errors }
        : { ...current, server_errors: errors, state: "invalid",
          issues: [{ path: "", code: "server_error", message: result.message ?? "" }] });
    }
  }

  async pushFiles() {
    const records = [...await this.store.recordsInState("outbox"), ...await this.store.recordsInState("sent")];
    for (const record of records) {
      for (const attachment of record.attachments ?? []) {
        const file = await this.store.getFile(attachment.sha256);
        if (file && !file.uploaded) await uploadFile(this.store, this.api, file);
      }
    }
  }

  async pullHouseholds() {
    const etag = await this.store.getMeta("householdsEtag");
    const asked = this.householdsAsked;  // sent without an ETag: only a phone with none stored sends it
    this.householdsAsked = null;
    const response = await (asked && !etag ? asked
      : this.api.request("GET", "/api/sync/households", { headers: etag ? { "If-None-Match": etag } : {} }));
    if (response.status === 304) return;
    if (!response.ok) throw new ServerError(`${response.status}`);
    const { campaign, households } = await response.json();
    this.onHouseholds(campaign, households);  // drawn while it is stored
    await this.store.replaceHouseholds(households);
    await this.store.setMeta("campaign", campaign);
    await this.store.setMeta("householdsEtag", response.headers.get("ETag"));
    this.onChange();  // the list can be drawn now, before the records are pulled
  }

  // Every listed household's form (after the first sync a household opens offline), a chunk
  // of ids a request, each answer stored in one transaction; a chunk answered as before (its
  // ETag, kept per chunk) is 304.
  async pullForms() {
    const ids = await this.store.householdIds();
    const etags = await this.store.getMeta("formsEtags", {});
    const kept = {};
    for (let start = 0; start < ids.length; start += FORMS_PER_REQUEST) {
      const chunk = ids.slice(start, start + FORMS_PER_REQUEST).join(",");
      kept[chunk] = await this.fetchForms(chunk, etags[chunk]);
      await this.store.setMeta("formsEtags", { ...etags, ...kept });
    }
    await this.store.setMeta("formsEtags", kept);  // chunks of an older list are forgotten
  }

  // The forms of a few households, at once (one tapped before its form arrived).
  async pullFormsOf(ids) {
    await this.fetchForms(ids.join(","), null);
  }

  async fetchForms(chunk, etag) {
    const response = await this.api.request("GET", `/api/sync/households/forms?ids=${chunk}`,
      { headers: etag ? { "If-None-Match": etag } : {} });
    if (response.status === 304) return etag;
    if (!response.ok) throw new ServerError(`${response.status}`);
    await this.store.putForms((await response.json()).forms);
    return response.headers.get("ETag");
  }

  async pullRecords() {
    const response = await this.api.request("GET", "/api/sync/records");
    if (!response.ok) throw new ServerError(`${response.status}`);
    const { records } = await response.json();
    for (const server of records) await this.settle(server, await this.store.getRecord(server.id));
  }

  // What the server says of a record becomes the phone's state of it (docs/sync.md, Pull).
  async settle(server, local) {
    const mark = { id: server.id, household_id: server.household_id, server_status: server.status,
      revision: server.revision, approved_on: server.approved_on ?? null,
      per_capita_net_income: server.per_capita_net_income ?? null };
    if (server.status === "second_record") {
      if (server.resolved && local?.state === "conflict") await this.forget(local);  // the village chose
    } else if (server.status === "approved") {
      if (!local) await this.store.putRecord({ ...mark, state: "done", answers: null, attachments: [],
        created_at: new Date(this.now()).toISOString() });
      else if (["sent", "recorded", "done"].includes(local.state)) await this.markDone(local, mark);
    } else if (server.status === "returned" && server.mine) {
      const untouched = !local || (["sent", "done", "recorded"].includes(local.state) && (local.revision ?? 0) <= server.revision);
      if (untouched) {
        await this.store.putRecord({
          ...(local ?? {}), ...mark, state: "returned",
          answers: server.answers, base_revision: server.revision,
          comments: server.comments ?? [], form_version: server.form_version ?? local?.form_version,
          attachments: local?.attachments ?? [], created_at: local?.created_at ?? new Date(this.now()).toISOString(),
        });
      } else if (local && ["draft", "returned", "invalid"].includes(local.state)) {
        await this.store.putRecord({ ...local, comments: server.comments ?? [] });
      }
    } else if (!local) {  // recorded on another phone or by an earlier assignee, under review
      await this.store.putRecord({ ...mark, state: "recorded", answers: null, attachments: [],
        created_at: new Date(this.now()).toISOString() });
    } else if (["sent", "done", "recorded"].includes(local.state)) {  // waiting for review (again, if reopened)
      await this.store.putRecord({ ...local, ...mark, state: local.answers ? "sent" : "recorded",
        complete: server.complete, missing_attachments: server.missing_attachments ?? [] });
    }
  }

  // Approved: the record stays as the household's read-only "done" mark; its files, on the
  // server now, leave the phone.
  async markDone(record, mark) {
    for (const attachment of record.attachments ?? []) await this.store.deleteFile(attachment.sha256);
    // The approved content is this copy only if it is the approved revision (the village may
    // have taken another phone's copy instead): else the phone keeps the mark alone.
    const answers = (record.revision ?? 0) === mark.revision ? record.answers : null;
    await this.store.putRecord({ ...record, ...mark, state: "done", answers, attachments: [] });
  }

  async forget(record) {
    for (const attachment of record.attachments ?? []) await this.store.deleteFile(attachment.sha256);
    await this.store.deleteRecord(record.id);
  }
}

export function payload(record) {
  return {
    id: record.id,
    household_id: record.household_id,
    form_version: record.form_version,
    base_revision: record.base_revision ?? null,
    answers: record.answers,
    client_result: record.client_result ?? null,
    attachments: (record.attachments ?? []).map(({ sha256, kind, size, content_type }) => ({ sha256, kind, size, content_type })),
  };
}
