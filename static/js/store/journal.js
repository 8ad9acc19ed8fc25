// A write-ahead copy of the record being edited, in localStorage, which is synchronous:
// it is on disk before the keystroke's task ends, even if the tab is killed before the
// IndexedDB write commits. Replayed into IndexedDB at the next start, then removed.
const PREFIX = "ruhu.journal.";

const key = (userId, recordId) => `${PREFIX}${userId}.${recordId}`;

export function write(userId, record) {
  localStorage.setItem(key(userId, record.id), JSON.stringify(record));
}

// Forget the copy once IndexedDB has it, unless a newer keystroke wrote a newer copy.
export function settle(userId, record) {
  const stored = localStorage.getItem(key(userId, record.id));
  if (stored && JSON.parse(stored).journaled_at === record.journaled_at) localStorage.removeItem(key(userId, record.id));
}

export function pending(userId) {
  const prefix = `${PREFIX}${userId}.`;
  return Object.keys(localStorage).filter((name) => name.startsWith(prefix)).map((name) => JSON.parse(localStorage.getItem(name)));
}
