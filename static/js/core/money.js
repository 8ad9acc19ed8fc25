// Money is integer fen. The phone's mirror of app/money.py: the only way yuan text becomes fen.

const YUAN_PATTERN = /^-?\d+(\.\d{1,2})?$/;

// "8,700.5" → 870050; null when the text is not plain yuan with at most two decimals.
export function parseYuan(text) {
  const cleaned = String(text ?? "").trim().replace(/[,，¥￥]/g, "");
  if (!YUAN_PATTERN.test(cleaned)) return null;
  const negative = cleaned.startsWith("-");
  const [whole, fraction = ""] = cleaned.replace("-", "").split(".");
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
  return negative && fen !== 0 ? -fen : fen;
}

export function formatYuan(fen) {
  if (fen === null || fen === undefined) return "";
  const sign = fen < 0 ? "-" : "";
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${yuan}.${String(abs % 100).padStart(2, "0")}`;
}
