// A moment as the user's language writes it, in the county's time zone (as app/i18n.py
// writes it on the office pages): zh 12月4日 14:05, en 4 Dec, 14:05; with the year when it
// is not the county's current year (2025年12月4日 14:05, 4 Dec 2025, 14:05). Pure: runs under node.

export const DEFAULT_TIME_ZONE = "Asia/Shanghai";  // app/clock.py's, for a bundle stored before it said its zone

const formats = new Map();  // Intl.DateTimeFormat is slow to make: one per (locale, zone, shape)

function format(locale, timeZone, shape) {
  const key = `${locale} ${timeZone} ${JSON.stringify(shape)}`;
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, { timeZone, ...shape }));
  return formats.get(key);
}

// value: a Date or an ISO string; locale: the app's ("en" or "zh_Hans"); now: the current moment.
export function formatMoment(value, { locale, timeZone = DEFAULT_TIME_ZONE, now = new Date() }) {
  const moment = new Date(value);
  const english = locale === "en";
  const language = english ? "en-GB" : "zh-CN";  // en-GB: "4 Dec", as the brief of the app says
  const year = (date) => format(language, timeZone, { year: "numeric" }).format(date);
  const day = format(language, timeZone, { ...(year(moment) === year(new Date(now)) ? {} : { year: "numeric" }),
    month: english ? "short" : "long", day: "numeric" }).format(moment);  // zh "long": 12月4日, not 12/4
  const time = format(language, timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(moment);
  return english ? `${day}, ${time}` : `${day} ${time}`;
}
