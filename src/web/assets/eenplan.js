// eenplan: small enhancements only. Every page works without this file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // After a refused form, bring the error summary into view and focus, so a screen reader reads it first.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
  // Forms that change something hard to undo ask once more.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
});
