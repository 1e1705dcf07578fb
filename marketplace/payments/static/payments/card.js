// The Stripe Payment Element of the card page (a static file: the Content-Security-Policy allows
// no inline script).
(function () {
  var form = document.getElementById("card-form");
  var stripe = Stripe(form.dataset.key);
  var elements = stripe.elements({clientSecret: form.dataset.secret, locale: document.documentElement.lang});
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    stripe.confirmPayment({elements: elements, confirmParams: {return_url: form.dataset.return}})
      .then(function (result) { if (result.error) { document.getElementById("card-error").textContent = result.error.message; } });
  });
})();
