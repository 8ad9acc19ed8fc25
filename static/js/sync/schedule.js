// When to retry and how much to send: pure rules, tested under node.

export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_MS = 5 * 60_000;

// Exponential backoff after consecutive failures, capped at five minutes.
export function retryDelay(failures) {
  if (failures <= 0) return 0;
  return Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), MAX_RETRY_MS);
}

export const BATCH = { first: 5, min: 1, max: 50, fastMs: 2000 };

// Start small, grow while requests are fast, shrink on time-outs and server errors.
export function nextBatchSize(size, { ok, elapsedMs, full }) {
  if (!ok) return Math.max(BATCH.min, Math.floor(size / 2));
  if (full && elapsedMs < BATCH.fastMs) return Math.min(BATCH.max, size * 2);
  return size;
}

// A record the server answered "error" (a fault on its side) this many times running stops
// being retried: the phone shows it as needing attention, keeps it, and sends it again once
// the enumerator saves it again.
export const MAX_ERROR_ANSWERS = 5;
