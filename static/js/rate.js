// Rating forms: dim the answers when "no interaction" is ticked, and say when a comment is needed.
// The limits of the comment rule come from the page (data-comment-score, data-comment-recommend on
// the form), written by the server from tracker/services/ratings.py: the rule has one home.
(function () {
  "use strict";
  function limit(form, name, fallback) {
    var value = parseInt(form && form.getAttribute("data-comment-" + name), 10);
    return isNaN(value) ? fallback : value;
  }
  function answers(section) {
    var chosen = [];
    var radios = section.querySelectorAll("input[type=radio]:checked");
    var selects = section.querySelectorAll("select");
    Array.prototype.forEach.call(radios, function (el) { chosen.push(el); });
    Array.prototype.forEach.call(selects, function (el) { chosen.push(el); });
    return chosen;
  }
  function low(section, form) {
    var scoreMax = limit(form, "score", 2), recommendMax = limit(form, "recommend", 6);
    return answers(section).some(function (el) {
      var value = parseInt(el.value, 10);
      if (isNaN(value)) { return false; }
      if (/score_/.test(el.name) && value <= scoreMax) { return true; }
      return /recommend$/.test(el.name) && value <= recommendMax;
    });
  }
  function update(section, form) {
    var none = section.querySelector(".rate-no-interaction");
    var comment = section.querySelector("textarea");
    var off = none && none.checked;
    var needed = !off && low(section, form);
    var dimmed = section.querySelectorAll(".rate-answers, select");
    Array.prototype.forEach.call(dimmed, function (el) { el.classList.toggle("rate-disabled", !!off); });
    if (comment) {
      comment.required = needed;
      if (section.classList.contains("rate-row")) {
        // The grid's comment grows when the rule asks for one (or holds text) and says why.
        comment.rows = needed || comment.value.trim() || comment.classList.contains("is-invalid") ? 3 : 1;
        comment.placeholder = needed ? "" : comment.getAttribute("data-placeholder");
        var hint = section.querySelector(".rate-comment-needed");
        if (hint) { hint.classList.toggle("d-none", !needed); }
      }
    }
  }
  function sections() {
    var rows = document.querySelectorAll(".rate-form .rate-row");
    if (rows.length) { return rows; }
    var cards = document.querySelectorAll(".rate-form section.card");
    if (cards.length) { return cards; }
    return document.querySelectorAll(".rate-form");
  }
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(sections(), function (section) {
      var form = section.closest("form");
      var comment = section.querySelector("textarea");
      if (comment) { comment.setAttribute("data-placeholder", comment.placeholder || ""); }
      section.addEventListener("change", function () { update(section, form); });
      section.addEventListener("input", function (event) {
        if (event.target.tagName === "TEXTAREA") { update(section, form); }
      });
      update(section, form);
    });
    // A second click while the save is on its way sends nothing more.
    Array.prototype.forEach.call(document.querySelectorAll("form.rate-grid-form"), function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector(".rate-save");
        if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
      });
    });
  });
})();
