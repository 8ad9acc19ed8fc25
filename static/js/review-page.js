// The record page of a reviewer who may return it: tapping a field of the record (or an issue)
// opens that field's comment in the return form, which shows only the fields commented on.
// Without this module every field's comment box is shown, and returning works the same.
const form = document.getElementById("return-form");

if (form) {
  const fields = new Map([...form.querySelectorAll("[data-comment-field]")]
    .map((field) => [field.dataset.commentField, field]));

  const choose = (field) => {
    field.classList.add("chosen");
    const box = field.querySelector("textarea");
    box.scrollIntoView({ block: "center" });
    box.focus({ preventScroll: true });
  };

  form.classList.add("picking");
  for (const field of fields.values()) {
    if (field.querySelector("textarea").value.trim()) {
      field.classList.add("chosen"); // typed before the page came back with a message
    }
  }
  for (const target of document.querySelectorAll("[data-comment]")) {
    if (fields.has(target.dataset.comment)) {
      target.classList.add("commentable");
      target.querySelector(".comment-on").hidden = false;
    }
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest(".commentable");
    if (target && !event.target.closest("a, textarea, input, select")) {
      choose(fields.get(target.dataset.comment));
    }
  });
}
