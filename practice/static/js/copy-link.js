// Select an invitation link's text on focus so a counselor can copy it in one gesture.
for (const input of document.querySelectorAll("input[data-copy]")) {
  input.addEventListener("focus", () => input.select());
}
