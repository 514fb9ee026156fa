// Size each embedded chart (<object class="dash-fit">) to its SVG's proportions, so the
// graph is as tall as its width requires, whatever the size of the organization.
(function () {
  "use strict";
  function fit(obj) {
    var doc = obj.contentDocument;
    if (!doc || !doc.documentElement || !doc.documentElement.viewBox) { return; }
    var box = doc.documentElement.viewBox.baseVal;
    if (!box || !box.width) { return; }
    obj.style.height = Math.round(obj.clientWidth * box.height / box.width) + "px";
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
