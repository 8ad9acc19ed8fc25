// Income engine: the phone's mirror of app/census/income.py (read its header for the
// invariants). Integer fen throughout; both are checked against tests/vectors/income.json.
import { parseYuan } from "./money.js";

export const NET_INCOME_SIGNS = { wage: 1, business: 1, property: 1, transfer: 1, business_expenses: -1 };

// Integer division rounding half away from zero; BigInt keeps it exact at any size.
export function divideHalfUp(numerator, denominator) {
  const n = BigInt(numerator);
  const d = BigInt(denominator);
  const absN = n < 0n ? -n : n;
  const absD = d < 0n ? -d : d;
  let quotient = absN / absD;
  if (2n * (absN % absD) >= absD) quotient += 1n;
  return Number((n >= 0n) === (d > 0n) ? quotient : -quotient);
}

export function fenOf(text) {
  if (text === null || text === undefined || String(text).trim() === "") return 0;
  return parseYuan(text) ?? 0;
}

export function householdSize(members) {
  return members.filter((m) => (m.status ?? "present") === "present" && (m.shares_income ?? true)).length;
}

export function formatGrowth(basisPoints) {
  const sign = basisPoints < 0 ? "-" : "";
  const abs = Math.abs(basisPoints);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export function compute(definition, answers, { threshold = null, lastYearPerCapita = null } = {}) {
  const money = answers.income ?? {};
  const lines = [];
  const categories = {};
  for (const category of definition.income.categories) {
    const terms = category.items
      .filter((item) => item.counts ?? true)
      .map((item) => ({ item: item.id, value: fenOf(money[item.id]) }));
    categories[category.id] = terms.reduce((sum, term) => sum + term.value, 0);
    lines.push({ id: category.id, value: categories[category.id], terms });
  }

  const entries = Object.entries(categories);
  const familyNetIncome = entries.reduce((sum, [key, value]) => sum + NET_INCOME_SIGNS[key] * value, 0);
  lines.push({
    id: "family_net_income",
    value: familyNetIncome,
    terms: entries.map(([key, value]) => ({ item: key, value, sign: NET_INCOME_SIGNS[key] })),
  });

  const beside = { out_of_pocket: 0, insurance_payout: 0 };
  for (const item of definition.income.beside) beside[item.kind] += fenOf(money[item.id]);

  const size = householdSize(answers.members ?? []);
  const perCapita = size ? divideHalfUp(familyNetIncome, size) : null;
  lines.push({
    id: "per_capita_net_income",
    value: perCapita,
    terms: [{ item: "family_net_income", value: familyNetIncome }, { item: "household_size", value: size }],
  });

  const afterRigid = familyNetIncome + beside.insurance_payout - beside.out_of_pocket;
  const perCapitaAfterRigid = size ? divideHalfUp(afterRigid, size) : null;
  lines.push({
    id: "per_capita_after_rigid_costs",
    value: perCapitaAfterRigid,
    terms: [
      { item: "family_net_income", value: familyNetIncome },
      { item: "insurance_payouts", value: beside.insurance_payout },
      { item: "out_of_pocket", value: beside.out_of_pocket },
      { item: "household_size", value: size },
    ],
  });

  let growth = null;
  if (perCapita !== null && lastYearPerCapita !== null && lastYearPerCapita > 0) {
    growth = formatGrowth(divideHalfUp(BigInt(perCapita - lastYearPerCapita) * 10000n, lastYearPerCapita));
  }
  lines.push({
    id: "growth_rate",
    value: growth,
    terms: [
      { item: "per_capita_net_income", value: perCapita },
      { item: "last_year_per_capita_net_income", value: lastYearPerCapita },
    ],
  });

  return {
    household_size: size,
    categories,
    family_net_income: familyNetIncome,
    per_capita_net_income: perCapita,
    out_of_pocket: beside.out_of_pocket,
    insurance_payouts: beside.insurance_payout,
    per_capita_after_rigid_costs: perCapitaAfterRigid,
    last_year_per_capita_net_income: lastYearPerCapita,
    growth_rate: growth,
    threshold,
    within_threshold: perCapita !== null && threshold !== null ? perCapita <= threshold : null,
    lines,
  };
}
