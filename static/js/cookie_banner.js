// "Choose" opens the category boxes in the banner; without JavaScript the same button
// opens the cookie settings page, so the banner works either way.
(function () {
  "use strict";
  var banner = document.querySelector("[data-cookie-banner]");
  if (!banner) return;
  var choose = banner.querySelector('[data-cookie-action="choose"]');
  var panel = document.getElementById(choose.getAttribute("aria-controls"));
  choose.addEventListener("click", function (event) {
    event.preventDefault();
    var opening = panel.hidden;
    panel.hidden = !opening;
    choose.setAttribute("aria-expanded", opening ? "true" : "false");
    if (opening) {
      var first = panel.querySelector("input:not([disabled])");
      if (first) first.focus();
    }
  });
})();
