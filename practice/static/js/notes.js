// The session note draft: autosave through the API while the counselor writes, and the summary button.
// Without JavaScript the page's buttons post the whole form and it comes back; with it, the whole
// draft is sent as JSON to /api/v1/notes/<note> a moment after the last keystroke, with the version
// it was loaded at. A save that fails (signed out, a refused detail, the server, no network) leaves
// every word where it is and says so; one from an older version offers to keep these words or the
// ones saved elsewhere. The summary button inserts its text without leaving the page.
const token = document.querySelector('meta[name="csrf-token"]')?.content;
const form = document.querySelector("form#note-form[data-note]");
const WAIT = 1200;

function say(text, failed = false) {
  const status = form.querySelector("[data-save-status]");
  status.textContent = text;
  status.classList.toggle("save-status--failed", failed);
}

function version() {
  return Number(form.elements.version.value);
}

function setVersion(value) {
  form.elements.version.value = String(value);
  form.dataset.version = String(value);
}

function checked(name) {
  return form.querySelector(`input[name="${name}"]:checked`)?.value ?? "";
}

function body() {
  const sections = {};
  for (const area of form.querySelectorAll('textarea[name^="section."]')) {
    sections[area.name.slice("section.".length)] = area.value;
  }
  return {
    version: version(),
    session_on: form.elements.session_on.value,
    minutes: form.elements.minutes.value === "" ? null : form.elements.minutes.value,
    attended: checked("attended"),
    modality: checked("modality"),
    sections,
  };
}

function clearErrors() {
  form.querySelectorAll(".field__error[data-from-script]").forEach((p) => p.remove());
  form.querySelectorAll("[aria-invalid][data-from-script]").forEach((c) => {
    c.removeAttribute("aria-invalid");
    c.removeAttribute("data-from-script");
  });
}

function showErrors(messages) {
  clearErrors();
  const flat = { ...messages, ...(messages.sections ?? {}) };
  delete flat.sections;
  for (const [name, list] of Object.entries(flat)) {
    const control = form.elements[name] ?? form.elements[`section.${name}`];
    const first = control instanceof RadioNodeList ? control[0] : control;
    const place = first?.closest(".field, fieldset");
    if (!place) continue;
    const p = document.createElement("p");
    p.className = "field__error";
    p.dataset.fromScript = "";
    p.textContent = Array.isArray(list) ? list[0] : String(list);
    place.append(p);
    if (!(control instanceof RadioNodeList)) {
      first.setAttribute("aria-invalid", "true");
      first.dataset.fromScript = "";
    }
  }
}

function time() {
  return new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

let timer = null;
let saving = false;
let again = false;
let dirty = false;
let offer = null; // the choice offered after a 409, while it waits for an answer
let submitter = null; // a post asked for while a save was on its way: { button }, made once it is back

function closeOffer() {
  offer?.remove();
  form.querySelectorAll(".note-conflict[data-from-script]").forEach((shown) => shown.remove());
  offer = null;
}

// What the other window saved, above each box whose words differ from it (as the page without
// JavaScript shows them), so the counselor can see what either choice keeps.
function showSaved(sections) {
  for (const [key, text] of Object.entries(sections ?? {})) {
    const area = form.elements[`section.${key}`];
    if (!area || area.value === text) continue;
    const saved = document.createElement("div");
    saved.className = "note-conflict";
    saved.dataset.fromScript = "";
    const label = document.createElement("p");
    label.className = "small";
    label.append(Object.assign(document.createElement("strong"), { textContent: "Saved in the other window:" }));
    const words = Object.assign(document.createElement("pre"), { className: "note-conflict__text", textContent: text || "(empty)" });
    saved.append(label, words);
    area.before(saved);
  }
}

function offerMerge(answer) {
  closeOffer();
  const note = document.createElement("div");
  offer = note;
  note.className = "notice notice--warning";
  note.setAttribute("role", "alert");
  note.innerHTML = "<p><strong>This note was saved from another window after you opened it.</strong> " +
    "Nothing was changed. Your words are in the boxes; what was saved is above each box that differs.</p>" +
    "<p class=\"button-row\"></p>";
  const row = note.querySelector(".button-row");
  const mine = Object.assign(document.createElement("button"), { type: "button", className: "button button--primary", textContent: "Keep my words" });
  const theirs = Object.assign(document.createElement("button"), { type: "button", className: "button button--secondary", textContent: "Use the saved words" });
  row.append(mine, theirs);
  mine.addEventListener("click", () => { setVersion(answer.version); closeOffer(); save(); });
  theirs.addEventListener("click", () => {
    for (const [key, text] of Object.entries(answer.sections)) {
      const area = form.elements[`section.${key}`];
      if (area) area.value = text;
    }
    setVersion(answer.version);
    closeOffer();
    dirty = false;
    say(`Showing the saved words (${time()}).`);
  });
  showSaved(answer.sections);
  form.prepend(note);
  mine.focus();
}

async function save() {
  if (saving) { again = true; return; }
  saving = true;
  clearTimeout(timer);
  say("Saving…");
  try {
    const response = await fetch(form.dataset.api, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
      body: JSON.stringify(body()),
    });
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      setVersion(answer.version);
      dirty = false;
      clearErrors();
      say(`Saved ${time()}.`);
    } else if (response.status === 409 && answer.signed) {
      say("This note was signed in another window and can no longer change. Copy anything you need, then reload.", true);
    } else if (response.status === 409) {
      say("Not saved: this note changed elsewhere.", true);
      offerMerge(answer);
    } else if (response.status === 401 || response.status === 403) {
      say("Not saved: you were signed out. Your words are still on this page: copy them, sign in again in a new tab, then paste them into the note.", true);
    } else if (response.status === 422) {
      showErrors(answer.errors?.json ?? answer.errors ?? {});
      say("Not saved: check the message beside the field.", true);
    } else {
      say("Not saved: the server had a problem. Your words are still here; it will try again.", true);
      timer = setTimeout(save, WAIT * 5);
    }
  } catch {
    say("Not saved: no connection. Your words are still here; it will save when you are back online.", true);
    timer = setTimeout(save, WAIT * 5); // the network may be up and the server not: try again anyway
  } finally {
    saving = false;
    if (submitter) {
      // The form now carries the version that save made, so posting it is not a conflict with itself.
      const { button } = submitter;
      submitter = null;
      again = false;
      form.requestSubmit(button);
    } else if (again) {
      again = false;
      save();
    }
  }
}

function changed(event) {
  if (event?.target === form.elements.secret) return; // the password is never saved, nor a change
  dirty = true;
  clearTimeout(timer);
  if (offer) return; // no save until the counselor chooses whose words to keep (it would only conflict)
  timer = setTimeout(save, WAIT);
}

async function insertSummary(event) {
  event.preventDefault();
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const response = await fetch(form.dataset.summary, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(String(response.status));
    const { text } = await response.json();
    const area = form.querySelector('textarea[name^="section."]');
    area.value = area.value.trimEnd() ? `${area.value.trimEnd()}\n\n${text}` : text;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
    changed();
  } catch {
    say("The summary could not be fetched. Use the button again, or save the draft and try.", true);
  } finally {
    button.disabled = false;
  }
}

if (form) {
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.querySelector("[data-summary-button]")?.addEventListener("click", insertSummary);
  window.addEventListener("online", () => { if (dirty && !offer) save(); });
  form.addEventListener("submit", (event) => {
    clearTimeout(timer);
    if (saving) {
      event.preventDefault();
      submitter = { button: event.submitter ?? undefined };
      return;
    }
    dirty = false;
  });
  // Enter in the password field signs (the form's default button only saves).
  form.elements.secret?.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing) return;
    event.preventDefault();
    form.requestSubmit(form.querySelector("[data-sign-button]"));
  });
  window.addEventListener("beforeunload", (event) => { if (dirty) event.preventDefault(); });
}

for (const confirmed of document.querySelectorAll("form[data-confirm]")) {
  confirmed.addEventListener("submit", (event) => {
    if (!window.confirm(confirmed.dataset.confirm)) event.preventDefault();
  });
}
