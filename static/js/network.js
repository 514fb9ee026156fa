// The "Informal network" switch: draw the graph with the overlay and list what it adds.
(function () {
  "use strict";
  var toggle = document.getElementById("overlay-switch");
  if (!toggle) { return; }
  var formal = document.getElementById("formal-graph");
  var overlay = document.getElementById("overlay-graph");
  var summary = document.getElementById("overlay-summary");
  function show(on) {
    if (on && !overlay.getAttribute("data")) {
      overlay.setAttribute("data", overlay.dataset.src);
    }
    overlay.classList.toggle("d-none", !on);
    formal.classList.toggle("d-none", on);
    if (!on) { summary.textContent = ""; return; }
    fetch(toggle.dataset.overlayUrl, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var shadow = data.shadow.map(function (s) { return s.supplier + " → " + s.customer + " (" + s.volume + ")"; });
        summary.textContent = summary.dataset.shadow + " " + (shadow.join(", ") || summary.dataset.none) + ". " +
          summary.dataset.dormant + " " + data.dormant.length + ".";
      });
  }
  toggle.addEventListener("change", function () { show(toggle.checked); });
  if (toggle.checked) { show(true); }
})();
