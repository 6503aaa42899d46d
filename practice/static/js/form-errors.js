// A form sent back with errors: put the keyboard (and a screen reader) on the first field to fix,
// instead of the top of the page. The error text is tied to the field with aria-describedby.
const first = document.querySelector('[aria-invalid="true"]');
if (first) {
  first.focus();
}
