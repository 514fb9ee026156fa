// Agreement form: offer only the chosen supplier's internal products (the server checks it too).
document.addEventListener("DOMContentLoaded", function () {
  var supplier = document.getElementById("supplier_id");
  var service = document.getElementById("service_id");
  if (!supplier || !service) {
    return;
  }
  function filterServices() {
    Array.prototype.forEach.call(service.options, function (option) {
      var owner = option.getAttribute("data-supplier");
      option.hidden = owner !== null && owner !== supplier.value;
      if (option.hidden && option.selected) {
        service.value = "";
      }
    });
  }
  supplier.addEventListener("change", filterServices);
  filterServices();
});
