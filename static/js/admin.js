// Agreement form: offer only the chosen supplier's internal products (the server checks it too).
// The supplier is a searchable field holding a code; its products come from the server.
document.addEventListener("DOMContentLoaded", function () {
  var supplier = document.getElementById("supplier_id");
  var service = document.getElementById("service_id");
  if (!supplier || !service || !service.form) {
    return;
  }
  var url = service.getAttribute("data-services");
  var shown = supplier.value.trim().toLowerCase();
  function loadServices() {
    var code = supplier.value.trim();
    if (!url || code.toLowerCase() === shown) {
      return;
    }
    shown = code.toLowerCase();
    fetch(url + "?code=" + encodeURIComponent(code), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {items: []}; })
      .then(function (data) {
        var keep = service.options.length ? service.options[0] : null;
        while (service.options.length > (keep ? 1 : 0)) {
          service.remove(service.options.length - 1);
        }
        data.items.forEach(function (item) {
          var option = document.createElement("option");
          option.value = String(item.id);
          option.textContent = item.label;
          service.appendChild(option);
        });
        service.value = "";
      });
  }
  supplier.addEventListener("change", loadServices);
});
