// First-party analytics tag, rendered only after analytics-cookie consent (P29). It keeps a
// random visitor id in kg_analytics and sends nothing to any other site.
(function () {
  "use strict";
  if (document.cookie.split("; ").some(function (c) { return c.indexOf("kg_analytics=") === 0; })) return;
  var id = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  document.cookie = "kg_analytics=" + id + "; Max-Age=" + 396 * 24 * 3600 + "; Path=/; SameSite=Lax";
})();
