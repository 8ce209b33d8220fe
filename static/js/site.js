/* Progressive enhancements only: every page works without this file.
 * - The mobile menu (<details class="menu">) closes on Escape and on a click outside it.
 * - A form or button with data-confirm="Question?" asks before submitting.
 * - A table wrapper (.table-wrap) that scrolls sideways and has no tabindex of its own in the
 *   template becomes a named, focusable region, so it can be scrolled with the keyboard.
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

  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var section = wrap.closest("section, article, main");
    var heading = section && section.querySelector("h1, h2, h3");
    if (heading && heading.textContent.trim()) return heading.textContent.trim();
    return document.body.getAttribute("data-table-label") || "Table";
  }

  function focusableScrollers() {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", labelFor(wrap));
        wrap.setAttribute("data-scroll-region", "");
      } else if (!scrolls && wrap.hasAttribute("data-scroll-region")) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (name) {
          wrap.removeAttribute(name);
        });
      }
    });
  }

  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
})();
