// Money is integer fen. The phone's mirror of app/money.py (read its header for what a cadre
// may type): the only way yuan text becomes fen. BigInt keeps long digit strings exact.
import { compact } from "./typed.js";

export const MAX_FEN = 100_000_000 * 100;
const AMOUNT = /^(?<sign>[-+]?)¥?(?<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?<cents>[0-9]{1,2}))?$/;
const MAX_WHOLE_DIGITS = String(MAX_FEN / 100).length;

// A JSON number as text: integers written out in full (String(1e22) would be "1e+22").
function text(value) {
  return Number.isInteger(value) ? BigInt(value).toString() : String(value ?? "");
}

// {fen, problem}: fen when the text is an amount of yuan, else problem "format" or "too_large".
export function readYuan(value) {
  const match = AMOUNT.exec(compact(text(value)));
  if (!match) return { fen: null, problem: "format" };
  const whole = match.groups.whole.replaceAll(",", "").replace(/^0+/, "");
  if (whole.length > MAX_WHOLE_DIGITS) return { fen: null, problem: "too_large" };
  const fen = Number(BigInt(whole || "0") * 100n + BigInt((match.groups.cents ?? "").padEnd(2, "0")));
  if (fen > MAX_FEN) return { fen: null, problem: "too_large" };
  return { fen: match.groups.sign === "-" && fen !== 0 ? -fen : fen, problem: null };
}

// "8,700.5" → 870050; null when the text is not an amount of yuan.
export function parseYuan(value) {
  return readYuan(value).fen;
}

export function formatYuan(fen) {
  if (fen === null || fen === undefined) return "";
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}
