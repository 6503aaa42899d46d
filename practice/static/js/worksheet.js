// The fill page: autosave each section through the API while the partner types, and show_if in place.
// Without JavaScript the page's Save buttons post the whole form and it comes back; with it, each
// section is sent as JSON to /api/v1/worksheets/entries/<entry>/sections/<key> a moment after the
// last keystroke, with the version it was loaded at. A save that fails for any reason (signed out,
// a refused answer, the server, no network) leaves the text where it is and says so beside the
// section; a save from an older version (the partner saved the same joint part) offers to merge.
const token = document.querySelector('meta[name="csrf-token"]')?.content;
const form = document.querySelector("form.sheet[data-entry]");
const WAIT = 1200;

function controlsOf(section) {
  return section.querySelectorAll("input[name], textarea[name], select[name]");
}

// The page's own bookkeeping ("<section>-_version", "<section>-_loaded"), never an answer.
function bookkeeping(name, prefix) {
  return name.slice(prefix.length).startsWith("_");
}

// A section's answers as the API takes them: the same shape the server reads from a posted form.
function answersOf(section) {
  const prefix = `${section.dataset.section}-`;
  const answers = {};
  const reviews = {};
  for (const control of controlsOf(section)) {
    const name = control.name;
    if (!name.startsWith(prefix) || bookkeeping(name, prefix) || control.disabled) continue;
    const key = name.slice(prefix.length);
    if ((control.type === "checkbox" || control.type === "radio") && !control.checked) {
      if (control.type === "checkbox" && !(key in answers)) answers[key] = [];
      continue;
    }
    const value = control.value;
    const row = key.match(/^(.+)-(\d+)-(habit|rating|decision)$/);
    if (row) {
      const [, field, index, part] = row;
      reviews[field] ??= {};
      reviews[field][index] ??= {};
      if (value !== "") reviews[field][index][part] = part === "rating" ? Number(value) : value;
      continue;
    }
    if (control.type === "checkbox") (answers[key] ??= []).push(value);
    else if (value !== "") answers[key] = value;
  }
  for (const [key, value] of Object.entries(answers)) if (Array.isArray(value) && !value.length) delete answers[key];
  for (const [field, rows] of Object.entries(reviews)) {
    const filled = Object.values(rows).filter((r) => r.rating && r.decision);
    if (filled.length) answers[field] = filled;
  }
  return answers;
}

function statusOf(section) {
  let status = section.querySelector(".save-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "save-status small";
    status.setAttribute("role", "status");
    section.append(status); // under the part's buttons, where the eye goes after typing
  }
  return status;
}

function say(section, text, failed = false) {
  const status = statusOf(section);
  status.textContent = text;
  status.classList.toggle("save-status--failed", failed);
}

function clearErrors(section) {
  section.querySelectorAll(".field__error[data-from-script]").forEach((p) => p.remove());
  section.querySelectorAll("[aria-invalid][data-from-script]").forEach((c) => {
    c.removeAttribute("aria-invalid");
    c.removeAttribute("data-from-script");
  });
}

function showErrors(section, errors) {
  clearErrors(section);
  const key = section.dataset.section;
  for (const [field, messages] of Object.entries(errors || {})) {
    const wrap = document.getElementById(`f-${key}-${field.replace(/_other$/, "")}-wrap`);
    const text = Array.isArray(messages) ? messages.join(" ") : Object.values(messages).flat().join(" ");
    if (!wrap) {
      say(section, `Not saved: ${text} Your text is still here.`, true);
      continue;
    }
    const p = document.createElement("p");
    p.className = "field__error";
    p.dataset.fromScript = "1";
    p.id = `f-${key}-${field}-script-error`;
    p.textContent = text;
    wrap.append(p);
    const control = wrap.querySelector("input, textarea, select");
    if (control) {
      control.setAttribute("aria-invalid", "true");
      control.dataset.fromScript = "1";
    }
  }
}

// Put answers back into a section's controls (taking the partner's version when merging).
function fill(section, answers) {
  const prefix = `${section.dataset.section}-`;
  for (const control of controlsOf(section)) {
    if (!control.name.startsWith(prefix) || bookkeeping(control.name, prefix)) continue;
    const value = answers[control.name.slice(prefix.length)];
    if (control.type === "checkbox") control.checked = Array.isArray(value) && value.includes(control.value);
    else if (control.type === "radio") control.checked = String(value) === control.value;
    else if (control.type !== "hidden") control.value = value ?? "";
  }
  applyShowIf();
  applyOther();
}

function offerMerge(section, conflict, saver) {
  section.querySelector(".conflict[data-from-script]")?.remove();
  const box = document.createElement("div");
  box.className = "conflict";
  box.dataset.fromScript = "1";
  box.setAttribute("role", "alert");
  const p = document.createElement("p");
  p.innerHTML = "<strong>Your partner saved this part while you were writing.</strong> Nothing of yours was lost. Their version:";
  const list = document.createElement("dl");
  list.className = "answers";
  for (const [key, value] of Object.entries(conflict.answers || {})) {
    const dt = document.createElement("dt");
    dt.textContent = section.querySelector(`#f-${section.dataset.section}-${key}-wrap legend, label[for="f-${section.dataset.section}-${key}"]`)?.textContent.replace(/\((needed|optional)\)/, "").trim() || key;
    const dd = document.createElement("dd");
    dd.className = "pre-wrap";
    dd.textContent = Array.isArray(value) ? value.map((v) => (typeof v === "object" ? JSON.stringify(v) : v)).join("; ") : String(value);
    list.append(dt, dd);
  }
  const keep = document.createElement("button");
  keep.type = "button";
  keep.className = "button button--primary";
  keep.textContent = "Keep mine (I have added what I want from theirs)";
  const take = document.createElement("button");
  take.type = "button";
  take.className = "button button--secondary";
  take.textContent = "Use their version";
  const row = document.createElement("div");
  row.className = "button-row";
  row.append(keep, take);
  box.append(p, list, row);
  statusOf(section).after(box);
  const version = section.querySelector('input[name$="-_version"]');
  keep.addEventListener("click", () => {
    version.value = conflict.version;
    box.remove();
    saver();
  });
  take.addEventListener("click", () => {
    version.value = conflict.version;
    const loaded = section.querySelector('input[name$="-_loaded"]');
    if (loaded) loaded.value = "";
    fill(section, conflict.answers);
    box.remove();
    say(section, "Their version is in place. Saved.");
  });
  say(section, "Not saved yet: choose how to merge below.", true);
}

function autosave(section) {
  const key = section.dataset.section;
  const version = section.querySelector(`input[name="${key}-_version"]`);
  // What the page loaded; once a save has changed the answers, a posted page must save them again.
  const loaded = section.querySelector(`input[name="${key}-_loaded"]`);
  if (!version) return;
  let timer = null;
  let busy = false;
  let again = false;
  let dirty = false;

  async function save() {
    if (busy) {
      again = true;
      return;
    }
    if (section.querySelector(".conflict[data-from-script]")) return; // waiting on the merge choice
    busy = true;
    dirty = false;
    say(section, "Saving…");
    try {
      const answer = await fetch(`/api/v1/worksheets/entries/${form.dataset.entry}/sections/${key}`, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ version: Number(version.value || 0), answers: answersOf(section) }),
      });
      const data = await answer.json().catch(() => ({}));
      if (answer.ok) {
        version.value = data.version;
        if (loaded) loaded.value = "";
        clearErrors(section);
        say(section, `Saved ${new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" })}.`);
        document.getElementById("crisis-inline")?.toggleAttribute("hidden", !data.crisis);
      } else if (answer.status === 409) {
        dirty = true;
        offerMerge(section, data, save);
      } else if (answer.status === 422) {
        dirty = true;
        showErrors(section, data.errors);
        say(section, "Not saved: check the answer marked below. Your text is still here.", true);
      } else if (answer.status === 401 || answer.status === 403) {
        dirty = true;
        say(section, "Not saved: you have been signed out. Your text is still here: press “Save and continue” to sign in again and keep it.", true);
      } else {
        dirty = true;
        say(section, `Not saved: the server could not save it (${answer.status}). Your text is still here; it will try again as you type, or press “Save and continue”.`, true);
      }
    } catch {
      dirty = true;
      say(section, "Not saved: no connection. Your text is still here; it will try again when you are back online.", true);
    } finally {
      busy = false;
      if (again) {
        again = false;
        save();
      }
    }
  }

  const later = () => {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, WAIT);
  };
  section.addEventListener("input", later);
  section.addEventListener("change", later);
  window.addEventListener("online", () => dirty && save());
  return () => dirty;
}

function applyShowIf() {
  for (const wrap of document.querySelectorAll("[data-show-if]")) {
    const name = wrap.dataset.showIf;
    const wanted = wrap.dataset.showIn.split("|");
    const chosen = [...document.querySelectorAll(`[name="${CSS.escape(name)}"]`)]
      .filter((c) => (c.type === "radio" || c.type === "checkbox" ? c.checked : c.value !== ""))
      .map((c) => c.value);
    wrap.hidden = !chosen.some((v) => wanted.includes(v));
    wrap.querySelector(".field__if")?.setAttribute("hidden", "");
  }
}

// "If other, in your own words": shown when "other" is chosen, or when words are already there.
function applyOther() {
  for (const box of document.querySelectorAll("[data-other-of]")) {
    const wanted = box.dataset.otherWhen.split("|");
    const chosen = [...document.querySelectorAll(`[name="${CSS.escape(box.dataset.otherOf)}"]`)]
      .filter((c) => (c.type === "radio" || c.type === "checkbox" ? c.checked : true))
      .map((c) => c.value);
    const text = box.querySelector("input");
    const show = chosen.some((v) => wanted.includes(v)) || (text && text.value.trim() !== "");
    if (!show && box.contains(document.activeElement)) continue; // never hide what is being typed in
    box.hidden = !show;
  }
}

if (form) {
  const pending = [...form.querySelectorAll(".sheet-section[data-section]")].map(autosave).filter(Boolean);
  form.addEventListener("change", () => {
    applyShowIf();
    applyOther();
  });
  applyShowIf();
  applyOther();
  let leaving = false;
  form.addEventListener("submit", () => (leaving = true)); // the Save buttons post everything typed
  window.addEventListener("beforeunload", (event) => {
    if (!leaving && pending.some((isDirty) => isDirty())) event.preventDefault();
  });
}
