/* Progressive enhancements only: every page works without this file.
 * - The mobile menu (<details class="menu">) closes on Escape and on a click outside it.
 * - A form or button with data-confirm="Question?" asks before submitting.
 * - An error summary marked data-focus-on-load (role=alert, tabindex=-1) takes the focus,
 *   so keyboard and screen-reader users land on it (the autofocus attribute does the same
 *   without this file where the browser honours it).
 * Loaded with `defer` from base.html; CSP allows only same-origin scripts, so keep it here. */
(function () {
  "use strict";

  function openMenus() {
    return document.querySelectorAll("details.menu[open]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary && document.activeElement !== summary) summary.focus();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var question =
      (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
