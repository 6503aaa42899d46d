// The idle warning (WCAG 2.2.1) and what happens when the time runs out (SECURITY.md A6).
//
// The server decides: its idle timeout and cookie stay authoritative, this only follows them. The
// page learns how long its session has left from the dialog's data attributes, asks
// /session/status (which never extends the session) before it warns or gives up, since another
// tab may have kept the session alive, and extends it only when the person presses "Stay signed in".
//
// When the server says the time has run out, the page posts the form the person was typing in to
// its own action, marked with _idle_draft=1. The server only ever keeps such a post as a draft
// (practice/auth/drafts.py) and never runs its view, even if another tab kept the session alive
// meanwhile (then it answers 409 and the page reopens with the draft). The page is cleared first,
// so a phone left on a table shows nothing private, then it goes to the sign-in page.
//
// Two tabs run out together: the one with nothing typed waits a few seconds before it reloads,
// because its reload ends the session and would leave the typing tab nobody to keep the draft for.
const dialog = document.getElementById("idle-warning");
const MINUTE = 60;
const RECHECK_SECONDS = 15;
// When /session/status cannot be reached: ask again this often, and once the page's own count
// is this far past the end, clear the page without posting anything.
const RETRY_SECONDS = 5;
const GIVE_UP_SECONDS = 30;
// How long a tab with nothing typed waits before the reload that ends the session.
const OTHER_TABS_FIRST_MS = 5000;
// The field that marks the post as a draft (practice/auth/sessions.py DRAFT_FIELD).
const DRAFT_FIELD = "_idle_draft";

function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

function spoken(seconds) {
  if (seconds > 90) return `${Math.round(seconds / MINUTE)} minutes`;
  if (seconds >= 55) return "a minute";
  const rounded = seconds > 10 ? Math.ceil(seconds / 5) * 5 : Math.max(seconds, 1);
  return `${rounded} second${rounded === 1 ? "" : "s"}`;
}

// Whether the person changed anything in this form since the page loaded.
function changed(form) {
  for (const control of form.elements) {
    if (control.type === "hidden" || control.type === "password") continue;
    if (control.type === "checkbox" || control.type === "radio") {
      if (control.checked !== control.defaultChecked) return true;
    } else if (control.options) {
      if ([...control.options].some((option) => option.selected !== option.defaultSelected)) return true;
    } else if ("defaultValue" in control && control.value !== control.defaultValue) {
      return true;
    }
  }
  return false;
}

// The form worth keeping: the one typed in last, else any changed form that posts.
function formToKeep(lastEdited) {
  const candidates = [...document.forms].filter(
    (form) => form.method === "post" && !form.hasAttribute("data-no-draft") && changed(form),
  );
  return candidates.includes(lastEdited) ? lastEdited : candidates[0] ?? null;
}

function start() {
  const warnSeconds = Number(dialog.dataset.warnSeconds);
  const stay = dialog.querySelector("[data-stay]");
  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000;
  let timer = 0;
  let ticker = 0;
  let ending = false;
  let lastEdited = null;

  // Which form the person typed in last.
  document.addEventListener("input", (event) => {
    const form = event.target.form;
    if (form && form.method === "post" && !form.hasAttribute("data-no-draft")) lastEdited = form;
  });

  async function sessionSecondsLeft(url, options = {}) {
    // null: signed out already; a number: seconds left (0: run out, not yet ended).
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json", "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      ...options,
    });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error(`session check answered ${response.status}`);
    return (await response.json()).seconds_left;
  }

  function showCountdown() {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    for (const span of dialog.querySelectorAll("[data-countdown]")) span.textContent = spoken(left);
  }

  function warn(atLimit) {
    dialog.querySelector("[data-idle-soon]").hidden = atLimit;
    dialog.querySelector("[data-idle-limit]").hidden = !atLimit;
    stay.hidden = atLimit;
    showCountdown();
    clearInterval(ticker);
    ticker = setInterval(showCountdown, 1000);
    if (!dialog.open) dialog.showModal();
  }

  function hideWarning() {
    clearInterval(ticker);
    if (dialog.open) dialog.close();
  }

  function schedule() {
    clearTimeout(timer);
    if (ending) return;
    const untilWarning = deadline - warnSeconds * 1000 - Date.now();
    if (untilWarning > 0) {
      timer = setTimeout(check, untilWarning);
    } else {
      check();
    }
  }

  async function check() {
    clearTimeout(timer);
    let left;
    try {
      left = await sessionSecondsLeft(dialog.dataset.statusUrl);
    } catch {
      // Offline or a server error: only the server may say the session is over, since another
      // tab may have kept it alive. Warn by the page's own count and ask again soon; long past
      // the end, clear the page for privacy, posting nothing.
      const ownLeft = Math.round((deadline - Date.now()) / 1000);
      if (ownLeft < -GIVE_UP_SECONDS) {
        end(false);
        return;
      }
      if (ownLeft <= warnSeconds) warn(false);
      timer = setTimeout(check, Math.max(RETRY_SECONDS, Math.min(ownLeft - warnSeconds, RECHECK_SECONDS)) * 1000);
      return;
    }
    if (left === null || left === 0) {
      end(left === 0);
      return;
    }
    deadline = Date.now() + left * 1000;
    if (left > warnSeconds) {
      hideWarning();
      timer = setTimeout(check, (left - warnSeconds) * 1000);
    } else {
      warn(false);
      // Look again now and then: activity in another tab of ours may have kept the session.
      timer = setTimeout(check, Math.min(left, RECHECK_SECONDS) * 1000);
    }
  }

  async function stayHere() {
    try {
      const left = await sessionSecondsLeft(dialog.dataset.keepAliveUrl, { method: "POST", body: "{}" });
      if (left === null) {
        end(true); // it has run out (401): the form's post below is what ends it
        return;
      }
      deadline = Date.now() + left * 1000;
      if (left <= warnSeconds) {
        warn(true); // the sign-in's absolute lifetime is near: staying cannot help
      } else {
        hideWarning();
      }
      schedule();
    } catch {
      // Refused (a token from a session ended elsewhere) or offline: ask how things stand.
      check();
    }
  }

  // runOut: the session timed out but has not been ended yet, so a form posted now is kept.
  async function end(runOut) {
    if (ending) return;
    ending = true;
    clearTimeout(timer);
    clearInterval(ticker);
    const form = runOut ? formToKeep(lastEdited) : null;
    const kept = form ? new FormData(form) : null;
    const action = form ? form.action : null;
    if (kept) kept.append(DRAFT_FIELD, "1");
    // Clear the page before anything travels over the network.
    hideWarning();
    document.title = "Signed out";
    const main = document.getElementById("main");
    if (main) main.replaceChildren();
    for (const part of document.querySelectorAll("header, footer, dialog")) part.remove();
    if (kept) {
      let stillSignedIn = false;
      try {
        // The server keeps the form as a draft, signs out and says so on the sign-in page; if
        // another tab kept the session alive it keeps the draft and answers 409 instead.
        const response = await fetch(action, {
          method: "POST", body: kept, credentials: "same-origin", redirect: "manual",
        });
        stillSignedIn = response.status === 409;
      } catch {
        // Nothing more can be done offline; the page stays clear.
      }
      const here = window.location.pathname + window.location.search;
      window.location.replace(
        stillSignedIn ? window.location.href : `${dialog.dataset.signInUrl}?next=${encodeURIComponent(here)}`,
      );
    } else {
      // Opening this page again is the request that ends the session: the server says why and
      // offers to come back here after signing in. Another tab of ours may be posting what was
      // typed in it, which needs the session still there to know whose draft it is: go after it.
      if (runOut) await new Promise((resolve) => setTimeout(resolve, OTHER_TABS_FIRST_MS));
      window.location.replace(window.location.href);
    }
  }

  stay.addEventListener("click", stayHere);
  // Esc dismisses the dialog: the person is clearly there, so it counts as "Stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (!stay.hidden) stayHere();
  });
  // A phone that slept through the timers checks as soon as it is looked at again.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") schedule();
  });
  schedule();
}

if (dialog && typeof dialog.showModal === "function") start();
