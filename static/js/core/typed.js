// How a number a person typed or pasted is read before it is parsed: the phone's mirror of
// app/typed.py (read its header). NFKC, then white space and zero-width characters removed.

const REMOVED = /[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\u200b-\u200d\u2060\ufeff]/g;

export function compact(text) {
  return String(text).normalize("NFKC").replace(REMOVED, "");
}
