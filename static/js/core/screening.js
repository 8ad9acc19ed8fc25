// Screening: the phone's mirror of app/census/screening.py (read its header for the flags).
// Suggestions only: people decide. Checked against tests/vectors/income.json.
import { divideHalfUp, fenOf } from "./income.js";

const NO_LABOUR = new Set(["lost", "none"]);
const WORKING_LABOUR = new Set(["ordinary", "skilled"]);
const EVENT_RISK = {
  illness: "illness", disaster: "natural_disaster", accident: "accident",
  job_loss: "unstable_employment", business_failure: "failed_business",
};
const MAX_RISK_TYPES = 5;
const RIGID_COST_FLAGS = ["rigid_cost_burden", "after_rigid_costs_within_threshold"];

export function presentMembers(answers) {
  return (answers.members ?? []).filter((m) => (m.status ?? "present") === "present");
}

export function flags(definition, answers, income) {
  const settings = definition.settings;
  const found = [];
  const perCapita = income.per_capita_net_income;
  const threshold = income.threshold;
  if (perCapita !== null && threshold !== null) {
    if (perCapita <= threshold) {
      found.push({ code: "below_threshold", params: { per_capita: perCapita, threshold } });
    } else if (perCapita <= threshold + divideHalfUp(threshold * settings.near_threshold_margin_percent, 100)) {
      found.push({ code: "near_threshold", params: { per_capita: perCapita, threshold } });
    }
  }

  const guarantees = answers.guarantees ?? {};
  for (const guarantee of definition.guarantees) {
    if (guarantees[guarantee.id] === false) {
      found.push({ code: "guarantee_failed", params: { guarantee: guarantee.id } });
    }
  }

  const outOfPocket = income.out_of_pocket;
  const net = income.family_net_income;
  if (outOfPocket > 0 && (net <= 0 || outOfPocket * 100 >= net * settings.rigid_cost_share_percent)) {
    found.push({ code: "rigid_cost_burden", params: { out_of_pocket: outOfPocket, net_income: net } });
  }
  const afterRigid = income.per_capita_after_rigid_costs;
  if (perCapita !== null && threshold !== null && perCapita > threshold && afterRigid <= threshold) {
    found.push({
      code: "after_rigid_costs_within_threshold",
      params: { per_capita: perCapita, after_rigid_costs: afterRigid, threshold },
    });
  }

  const last = income.last_year_per_capita_net_income;
  if (perCapita !== null && last !== null && last > 0 && (last - perCapita) * 100 >= last * settings.sharp_drop_percent) {
    found.push({ code: "sharp_drop", params: { per_capita: perCapita, last_year: last, growth_rate: income.growth_rate } });
  }

  const events = (answers.events ?? []).filter((event) => event.type);
  if (events.length) {
    found.push({ code: "sudden_event", params: { types: [...new Set(events.map((e) => e.type))].sort() } });
  }

  const members = presentMembers(answers);
  if (members.length && members.every((m) => NO_LABOUR.has(m.labour_capacity))) {
    found.push({ code: "without_labour", params: {} });
  }
  return found;
}

export function suggestedCategory(householdType, found) {
  const codes = new Set(found.map((flag) => flag.code));
  if (codes.has("below_threshold")) return householdType === "out_of_poverty" ? "unstable_out_of_poverty" : "marginal";
  if ([...RIGID_COST_FLAGS, "sharp_drop", "sudden_event"].some((code) => codes.has(code))) return "sudden_hardship";
  return null;
}

export function suggestedRiskTypes(definition, answers, income, found) {
  if (!found.length) return [];
  const codes = new Set(found.map((flag) => flag.code));
  const failed = new Set(found.filter((f) => f.code === "guarantee_failed").map((f) => f.params.guarantee));
  const members = presentMembers(answers);
  const money = answers.income ?? {};
  const reasons = new Set();
  if (members.some((m) => m.serious_illness || m.chronic_illness) && income.out_of_pocket > 0) reasons.add("illness");
  if (members.some((m) => m.disabled && !WORKING_LABOUR.has(m.labour_capacity))) reasons.add("disability");
  if (codes.has("without_labour") || (members.length && !members.some((m) => WORKING_LABOUR.has(m.labour_capacity)))) {
    reasons.add("lack_of_labour");
  }
  for (const event of answers.events ?? []) {
    if (EVENT_RISK[event.type]) reasons.add(EVENT_RISK[event.type]);
  }
  const schoolingCosts = fenOf(money.out_of_pocket_schooling) > 0;
  const rigidCosts = RIGID_COST_FLAGS.some((code) => codes.has(code));
  if (failed.has("compulsory_education") || (schoolingCosts && rigidCosts)) reasons.add("schooling");
  if (failed.has("housing")) reasons.add("unsafe_housing");
  if (failed.has("drinking_water")) reasons.add("unsafe_water");
  return definition.risk_types.filter((risk) => reasons.has(risk.id)).map((risk) => risk.code).slice(0, MAX_RISK_TYPES);
}

export function screen(definition, answers, income, householdType) {
  const found = flags(definition, answers, income);
  return {
    flags: found,
    suggested_category: suggestedCategory(householdType, found),
    suggested_risk_types: suggestedRiskTypes(definition, answers, income, found),
  };
}
