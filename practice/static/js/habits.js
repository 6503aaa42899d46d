// The week page: log a habit in place through the API, without reloading the page.
// Without JavaScript each button posts its form and the page comes back; with it, the same form
// is sent as JSON to /api/v1/habits/<id>/logs. A failed save says so next to the habit and keeps
// what was typed. The idempotency key stays the same until a save succeeds, so a double tap or a
// retry after a lost answer never logs twice.
const token = document.querySelector('meta[name="csrf-token"]')?.content;

function newKey() {
  return crypto.randomUUID ? crypto.randomUUID().replaceAll("-", "") : String(Date.now()) + Math.random().toString(16).slice(2);
}

function body(form, submitter) {
  const data = {};
  for (const [name, value] of new FormData(form, submitter)) {
    if (name === "csrf_token" || value === "") continue;
    data[name] = ["count", "minutes"].includes(name) ? Number(value) : value;
  }
  if ("done" in data) data.done = true;
  return data;
}

function say(article, text, failed) {
  const status = article.querySelector(".habit-log__status");
  status.textContent = text;
  status.classList.toggle("field__error", failed);
}

async function refresh(article, habitId) {
  const answer = await fetch("/api/v1/week", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!answer.ok) return;
  const habit = (await answer.json()).habits.find((h) => h.id === habitId);
  const progress = article.querySelector(".habit-today__progress");
  if (habit && progress) {
    progress.innerHTML = "";
    const strong = document.createElement("strong");
    strong.textContent = habit.progress.today_text;
    progress.append(strong, ` · ${habit.progress.period_text}`);
  }
}

for (const form of document.querySelectorAll("form.habit-log[data-api]")) {
  const article = form.closest("article");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const keyField = form.querySelector('input[name="idempotency_key"]');
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => (b.disabled = true));
    say(article, "Saving…", false);
    try {
      const answer = await fetch(form.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify(body(form, event.submitter)),
      });
      if (answer.status === 401) {
        form.submit(); // the session ended: the plain post takes them to sign in, keeping the entry
        return;
      }
      if (!answer.ok) {
        const problem = await answer.json().catch(() => ({}));
        const fields = Object.values(problem.errors || {}).flat().join(" ");
        say(article, `Not saved. ${fields || problem.message || "Please try again."} Your entry is still here.`, true);
        return;
      }
      form.reset(); // back to today, no feeling, no note, the partner's usual sharing
      keyField.value = newKey(); // after reset: a hidden field's value is its own default
      say(article, "Logged.", false);
    } catch {
      say(article, "Not saved: the connection dropped. Your entry is still here; try again.", true);
      return;
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
    // Saved: the counts shown are refreshed separately, so a failure here never reads as a lost save.
    refresh(article, form.dataset.habit).catch(() => {});
  });
}
