// Rating forms: dim the answers when "no interaction" is ticked, and say when a comment is needed.
(function () {
  "use strict";
  function low(section) {
    var checked = section.querySelectorAll("input[type=radio]:checked");
    for (var i = 0; i < checked.length; i++) {
      var name = checked[i].name, value = parseInt(checked[i].value, 10);
      if (isNaN(value)) { continue; }
      if (/score_/.test(name) && value <= 2) { return true; }
      if (/recommend$/.test(name) && value <= 6) { return true; }
    }
    return false;
  }
  function update(section) {
    var none = section.querySelector(".rate-no-interaction");
    var answers = section.querySelector(".rate-answers");
    var comment = section.querySelector("textarea");
    var off = none && none.checked;
    if (answers) { answers.classList.toggle("rate-disabled", !!off); }
    if (comment) { comment.required = !off && low(section); }
  }
  function sections() {
    var cards = document.querySelectorAll(".rate-form section.card");
    if (cards.length) { return cards; }
    return document.querySelectorAll(".rate-form");
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(sections(), function (section) {
      section.addEventListener("change", function () { update(section); });
      update(section);
    });
  });
})();
