// Irreversible steps ask first: a button (or a form) with data-confirm="question" submits only
// when the user says yes. One listener for every page, so no page carries a script of its own.
document.addEventListener("submit", (event) => {
  const asking = event.submitter?.closest("[data-confirm]") ?? event.target.closest("[data-confirm]");
  if (asking && !window.confirm(asking.dataset.confirm)) {
    event.preventDefault();
  }
});
