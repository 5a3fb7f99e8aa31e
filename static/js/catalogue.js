// On a phone the extra filters start folded so the results are in view; they stay open
// when some are in use or need correcting, and everywhere without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  var details = document.querySelector(".more-filters");
  if (details && !details.hasAttribute("data-keep-open") && window.matchMedia("(max-width: 820px)").matches) {
    details.open = false;
  }
});
