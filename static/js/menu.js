// The office pages' menu on a narrow screen: the header is one line (the mark, the language,
// 菜单), and the button opens the navigation and the user's controls under it. Without this
// script the button stays hidden and the whole header shows, as on a wide screen.
const button = document.querySelector(".menu-button");
const menu = button && document.getElementById(button.getAttribute("aria-controls"));
if (menu) {
  const open = (opened) => button.setAttribute("aria-expanded", String(opened));
  button.hidden = false;
  button.addEventListener("click", () => open(button.getAttribute("aria-expanded") !== "true"));
  // Escape closes an open menu and gives the focus back to its button.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      open(false);
      button.focus();
    }
  });
}
