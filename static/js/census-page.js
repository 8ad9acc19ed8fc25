// Boots the census form page: fetches the form bundle, renders the form, and asks the
// server for its verdict with the same rules.
import { CensusForm } from "./ui/form.js";

const root = document.getElementById("census-form");
const config = JSON.parse(document.getElementById("census-config").textContent);
const status = document.getElementById("check-status");
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;

const response = await fetch(config.bundleUrl, { credentials: "same-origin" });
const bundle = await response.json();
const form = new CensusForm(root, bundle, config.prefill, {
  threshold: config.threshold, lastYearPerCapita: config.lastYearPerCapita, referenceDate: config.referenceDate,
});
await form.render();
document.body.dataset.formReady = "true";

document.getElementById("check-button").addEventListener("click", async () => {
  const t = form.text.t;
  const local = form.validateNow();
  try {
    const answer = await fetch(config.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify({ answers: form.answers, form_version: bundle.definition.version }),
    });
    const result = await answer.json();
    if (answer.ok || answer.status === 422) {
      form.issues = result.issues;
      form.showIssues();
      status.textContent = t(answer.ok ? "已通过服务器检查。" : "服务器检查未通过，请修改标红的项。");
    } else {
      status.textContent = result.message;
    }
  } catch {
    status.textContent = t("无法连接服务器，请稍后再试。");
    form.issues = local;
  }
});
