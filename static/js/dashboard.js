// Size each embedded chart (<object class="dash-fit">) to its SVG's proportions, so the
// graph is as tall as its width requires, whatever the size of the organization; a chart with
// data-min-text-px is never shrunk below the scale at which its text (FONT_SIZE points, see
// charts/graph.py) is that many pixels: a wide graph scrolls sideways instead.
(function () {
  "use strict";
  var TEXT_PT = 9.5;
  function fit(obj) {
    var doc = obj.contentDocument;
    if (!doc || !doc.documentElement || !doc.documentElement.viewBox) { return; }
    var box = doc.documentElement.viewBox.baseVal;
    if (!box || !box.width) { return; }
    var minText = parseFloat(obj.dataset.minTextPx || "0");
    var available = obj.parentElement.clientWidth;
    var width = Math.max(available, Math.ceil(box.width * minText / TEXT_PT));
    obj.style.width = width + "px";
    // A max-width in the CSS (the history charts) may leave the box narrower than asked: the
    // height follows the width the box really has, or the chart floats in a tall empty box.
    var actual = obj.getBoundingClientRect().width || width;
    obj.style.height = Math.round(actual * box.height / box.width) + "px";
  }
  function fitAll() {
    document.querySelectorAll("object.dash-fit").forEach(fit);
  }
  document.querySelectorAll("object.dash-fit").forEach(function (obj) {
    obj.addEventListener("load", function () { fit(obj); });
    fit(obj);
  });
  window.addEventListener("resize", fitAll);
})();
