// The last-sync time as each language writes a moment, in the county's time zone
// (static/js/core/dates.js; the office pages write theirs so in app/i18n.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatMoment } from "../../static/js/core/dates.js";

const now = new Date("2026-12-04T12:00:00Z");  // 20:00 in Shanghai
const shanghai = { timeZone: "Asia/Shanghai", now };

test("this year's moment: month and day, then the 24-hour time", () => {
  assert.equal(formatMoment("2026-12-04T06:05:00Z", { locale: "zh_Hans", ...shanghai }), "12月4日 14:05");
  assert.equal(formatMoment("2026-12-04T06:05:00Z", { locale: "en", ...shanghai }), "4 Dec, 14:05");
});

test("the county's day and hour, not the phone's or UTC's", () => {
  // 16:05 UTC on 3 December is five past midnight on the 4th in the county.
  assert.equal(formatMoment("2026-12-03T16:05:00Z", { locale: "zh_Hans", ...shanghai }), "12月4日 00:05");
  assert.equal(formatMoment(new Date("2026-12-03T16:05:00Z"), { locale: "en", ...shanghai }), "4 Dec, 00:05");
  assert.equal(formatMoment("2026-12-03T16:05:00Z", { locale: "en", timeZone: "UTC", now }), "3 Dec, 16:05");
});

test("the zone is the county's by default", () => {
  assert.equal(formatMoment("2026-07-01T01:02:00Z", { locale: "zh_Hans", now }), "7月1日 09:02");
});

test("another year's moment says its year", () => {
  assert.equal(formatMoment("2025-06-01T00:00:00Z", { locale: "zh_Hans", ...shanghai }), "2025年6月1日 08:00");
  assert.equal(formatMoment("2025-06-01T00:00:00Z", { locale: "en", ...shanghai }), "1 Jun 2025, 08:00");
  // New Year's Eve in UTC is already New Year's Day in the county: this year's.
  assert.equal(formatMoment("2025-12-31T17:00:00Z", { locale: "zh_Hans", ...shanghai }), "1月1日 01:00");
});
