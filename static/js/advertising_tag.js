// The advertising broadcaster's tag, served from our own site and rendered only after
// advertising-cookie consent (P07). It keeps a random id in kg_ad; it calls no other site.
(function () {
  "use strict";
  if (document.cookie.split("; ").some(function (c) { return c.indexOf("kg_ad=") === 0; })) return;
  var id = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
  document.cookie = "kg_ad=" + id + "; Max-Age=" + 90 * 24 * 3600 + "; Path=/; SameSite=Lax";
})();
