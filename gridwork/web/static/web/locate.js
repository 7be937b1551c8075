// Fill the form's hidden lon/lat from the phone's position (needs HTTPS or localhost in browsers).
// A static file, not an inline script, so the content security policy can refuse every inline one;
// its texts come translated in the data- attributes of its own <script> element.
(function () {
  var script = document.currentScript;
  var texts = {
    waiting: script.dataset.waiting,
    failed: script.dataset.failed
  };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-locate]");
    if (!button) return;
    var form = button.closest("form");
    var out = form.querySelector("[data-located]");
    if (!navigator.geolocation) { out.textContent = texts.failed; return; }
    out.textContent = texts.waiting;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      out.textContent = form.elements.lat.value + ", " + form.elements.lon.value + " (±" + Math.round(pos.coords.accuracy) + " m)";
      form.dispatchEvent(new Event("located", {bubbles: true}));
    }, function () { out.textContent = texts.failed; }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  });
})();
