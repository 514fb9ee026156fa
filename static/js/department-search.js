// Searchable department fields (tracker.forms.DepartmentField and the list filters): as the user
// types, ask the server for matching departments and offer them in the field's datalist. The page
// never carries a list of every department; without JavaScript the user types the code.
document.addEventListener("DOMContentLoaded", function () {
  Array.prototype.forEach.call(document.querySelectorAll("input[data-department-search]"), function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var url = input.getAttribute("data-department-search");
    var timer = null;
    var asked = null;
    if (!list || !url) {
      return;
    }
    function search() {
      var q = input.value.trim();
      if (q === asked) {
        return;
      }
      asked = q;
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q),
            {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {items: []}; })
        .then(function (data) {
          if (q !== asked) {
            return;  // a later search is on its way
          }
          while (list.firstChild) {
            list.removeChild(list.firstChild);
          }
          data.items.forEach(function (dep) {
            var option = document.createElement("option");
            option.value = dep.code;
            option.textContent = dep.code + " — " + dep.name;
            list.appendChild(option);
          });
        });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("focus", search);
  });
});
