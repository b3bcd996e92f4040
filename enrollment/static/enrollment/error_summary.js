// The error summary (GOV.UK's pattern): it has the focus once the page loads, and each of its
// links puts the cursor in the box to fix, with that box's question in view. Without this
// script the summary is still focused (autofocus) and its links still jump to the boxes.
(function () {
  const summary = document.getElementById("error-summary");
  if (!summary) {
    return;
  }
  if (document.activeElement !== summary) {
    summary.focus();
  }
  summary.addEventListener("click", function (event) {
    const link = event.target.closest("a[href^='#']");
    const input = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!input) {
      return;
    }
    event.preventDefault();
    const fieldset = input.closest("fieldset");
    const question = (fieldset && fieldset.querySelector("legend")) ||
      document.querySelector("label[for='" + input.id + "']");
    (question || input).scrollIntoView();
    input.focus({preventScroll: true});
  });
})();
