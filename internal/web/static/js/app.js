// Discern: small enhancements. Every page works without this file.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Move focus to the list of problems, so a screen-reader user hears
    // what to fix and a keyboard user can follow its links.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    // The print view's button only makes sense with script.
    var buttons = document.querySelectorAll("[data-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
  });
})();
