// The bar's menus ("More" and the user's) are <details>, so they open without JavaScript; this
// closes them as a menu is expected to: on a click elsewhere, on Escape, and when the other opens.
(function () {
  "use strict";
  var menus = Array.prototype.slice.call(document.querySelectorAll("nav details.nav-more-menu"));
  if (!menus.length) { return; }
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (!menu.open) { return; }
      menus.forEach(function (other) { if (other !== menu) { other.open = false; } });
    });
  });
})();
