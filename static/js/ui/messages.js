// The census sentences, in the user's language, as the server sent them in the form bundle.
import { formatYuan } from "../core/money.js";

export function createMessages(bundle) {
  const { messages, locale } = bundle;
  const moneyParams = new Set(messages.money_params);
  let list = null;  // made at the first list said: making it costs more than reading the bundle
  const fill = (template, params = {}) =>
    template
      .replace(/%\((\w+)\)s/g, (_, name) => {
        const value = params[name];
        if (moneyParams.has(name) && Number.isInteger(value)) return formatYuan(value);
        if (Array.isArray(value)) return (list ??= new Intl.ListFormat(locale.replace("_", "-"))).format(value);
        return value === null || value === undefined ? "" : String(value);
      })
      .replace(/%%/g, "%");
  return {
    t: (text, params) => (params ? fill(messages.ui[text] ?? text, params) : messages.ui[text] ?? text),
    label: (labels) => labels[locale] ?? labels.zh_Hans,
    issue: (issue) => fill(messages.issues[issue.code] ?? issue.code, issue.params),
    flag: (flag, names) => {
      const params = { ...flag.params };
      if (params.guarantee) params.guarantee = names[params.guarantee] ?? params.guarantee;
      if (params.types) params.types = params.types.map((type) => names[type] ?? type).join("、");
      if ("growth_rate" in params && params.growth_rate === null) params.growth_rate = messages.lines.not_applicable;
      return fill(messages.flags[flag.code] ?? flag.code, params);
    },
    line: (id) => messages.lines[id],
    suggestion: (kind, value) => fill(messages.suggestions[kind], { [kind]: value }),
  };
}
