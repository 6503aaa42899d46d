// Quick exit, as domestic-abuse services advise: one tap (or Esc pressed twice) swaps this page
// for a neutral site. location.replace() takes this page out of the tab's history, so Back does
// not bring it back; a signed-in partner is also signed out in the background, so going back
// to any earlier page of ours asks for a password. Without JavaScript the control is a plain link.
// The bar's link comes first; the idle warning carries a second one, since a modal dialog makes
// the bar inert (templates/base.html). Both do the same.
const links = [...document.querySelectorAll("a[data-quick-exit]")];
const link = links[0];
const ESC_GAP_MS = 1500;
let lastEscape = 0;
let leaving = false;

function signOut() {
  const action = link.dataset.signOut;
  const token = document.querySelector('meta[name="csrf-token"]')?.content;
  if (!action || !token) return;
  const form = new FormData();
  form.append("csrf_token", token);
  // A beacon outlives the page it was sent from; a fetch would be cut off by the navigation.
  if (!navigator.sendBeacon(action, form)) {
    fetch(action, { method: "POST", body: form, credentials: "same-origin", keepalive: true }).catch(() => {});
  }
}

export function quickExit() {
  if (leaving) return;
  leaving = true;
  // Blank the page first: a slow network must not leave it on screen while the next one loads.
  document.title = "";
  document.body.replaceChildren();
  signOut();
  window.location.replace(link.href);
}

function onClick(event) {
  // A modified click (new tab, new window) is left to the browser; a plain one exits.
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  quickExit();
}

if (link) {
  for (const each of links) each.addEventListener("click", onClick);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.repeat) return;
    const now = Date.now();
    if (now - lastEscape <= ESC_GAP_MS) {
      quickExit();
    } else {
      lastEscape = now;
    }
  }, { capture: true });
}
