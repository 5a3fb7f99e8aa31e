// Checkout: when the country or the VAT number changes, ask the server for the summary
// (net, VAT and gross are computed there, never here) and swap it in. Without JavaScript
// the "Update VAT" button posts the form and the page comes back with the same figures.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var form = document.querySelector("form[data-vat-url]");
    if (!form) { return; }
    var button = form.querySelector("[data-vat-recalculate]");
    if (button) { button.hidden = true; }
    var pending = null;
    function refresh() {
      var data = new FormData();
      ["csrfmiddlewaretoken", "billing_country", "vat_number", "promotion_code", "email"].forEach(function (name) {
        var field = form.elements[name];
        if (field) { data.append(name, field.value); }
      });
      if (pending) { pending.abort(); }
      pending = new AbortController();
      fetch(form.dataset.vatUrl, { method: "POST", body: data, credentials: "same-origin", signal: pending.signal })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          var summary = document.getElementById("checkout-summary");
          if (html && summary) {
            summary.outerHTML = html;
            var total = document.querySelector("#checkout-summary [data-testid=summary-gross]");
            var pay = form.querySelector("[data-pay-total]");
            if (total && pay) { pay.textContent = total.textContent; }
          }
        })
        .catch(function () { /* the server recomputes everything when the order is placed */ });
    }
    ["billing_country", "vat_number"].forEach(function (name) {
      var field = form.elements[name];
      if (field) { field.addEventListener("change", refresh); }
    });
  });
})();
