// A job's page: polls its status while it is queued or running and moves the progress bar;
// once it has finished, the page is loaded again to show the download or why it failed.
// (A module of its own: the page's CSP allows no inline script.)
const POLL_MS = 1000;

const section = document.getElementById("job");
const bar = document.getElementById("job-progress");
const rows = document.getElementById("job-rows");
const state = document.getElementById("job-state");

async function poll() {
  try {
    const response = await fetch(section.dataset.statusUrl, { credentials: "same-origin" });
    if (!response.ok) return;
    const job = await response.json();
    state.textContent = job.state_label;
    rows.textContent = job.progress_text;
    bar.textContent = job.progress_text;
    if (job.rows_total !== null) {
      bar.max = Math.max(job.rows_total, 1);
      bar.value = job.rows_done;
    }
    if (job.finished) {
      window.location.reload();
      return;
    }
  } catch {
    // offline for a moment: the next poll tries again
  }
  window.setTimeout(poll, POLL_MS);
}

if (section && section.dataset.finished === "false") window.setTimeout(poll, POLL_MS);
