// On a phone the extra filters start folded so the results are in view; they stay open
// when some are in use or need correcting, and everywhere without JavaScript. On a wide
// screen they are always open (the summary is only a caption there).
document.addEventListener("DOMContentLoaded", function () {
  var details = document.querySelector(".more-filters");
  if (!details) return;
  var narrow = window.matchMedia("(max-width: 820px)");
  var keepOpen = details.hasAttribute("data-keep-open");
  function fit() {
    details.open = keepOpen || !narrow.matches;
  }
  fit();
  narrow.addEventListener("change", fit);
});
