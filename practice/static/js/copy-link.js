// Invitation links: select the text on focus, and a Copy button where the clipboard is available.
// Without JavaScript (or without clipboard access) the link stays in a plain, selectable field.
for (const input of document.querySelectorAll("input[data-copy]")) {
  input.addEventListener("focus", () => input.select());
}

for (const button of document.querySelectorAll("button[data-copy-for]")) {
  const input = document.getElementById(button.dataset.copyFor);
  const status = document.querySelector(`[data-copy-status="${button.dataset.copyFor}"]`);
  if (!input || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      if (status) status.textContent = `Link copied. Paste it into a message to ${button.dataset.copyWhom || "them"}.`;
    } catch {
      input.focus();
      if (status) status.textContent = "Copying is blocked here: the link is selected, copy it with your keyboard.";
    }
  });
}
