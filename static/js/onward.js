// Onward's small behaviours (CSP: no inline scripts). Everything works without JavaScript too:
// edit links open full pages, forms post normally; htmx (static/vendor) only keeps you on the page.
(function () {
  "use strict";

  // Ask before deleting: <form data-confirm="Delete this charge?">
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Cancel an inline form: <button data-cancel> empties its slot and returns focus to the opener.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-cancel]");
    if (!button) return;
    var slot = button.closest(".edit-slot");
    if (!slot) return;
    event.preventDefault();
    var opener = document.querySelector('[data-opens="' + slot.id + '"]');
    slot.innerHTML = "";
    if (opener) opener.focus();
  });

  // After htmx puts a form in place, move focus to its first error, or its first field.
  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target;
    var first = root.querySelector('[aria-invalid="true"], .error-summary') ||
      root.querySelector("input:not([type=hidden]), select, textarea");
    if (first) {
      if (first.classList && first.classList.contains("error-summary")) first.setAttribute("tabindex", "-1");
      first.focus();
    }
  });
})();

// A server error during an inline save must not pass silently: say so where the form is.
document.addEventListener("htmx:responseError", function (event) {
  var target = event.detail.target || document.getElementById("main");
  var note = document.createElement("div");
  note.className = "error-summary";
  note.setAttribute("role", "alert");
  note.textContent = "The server could not complete this (error " + event.detail.xhr.status + "). " +
    "Reload the page to see what was saved before trying again.";
  target.insertBefore(note, target.firstChild);
});
