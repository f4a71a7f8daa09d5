// Offer only the reaches of the chosen river in the order form.
(function () {
  var river = document.querySelector("#order-form select[name=river]");
  var reach = document.querySelector("#order-form select[name=reach]");
  if (!river || !reach) return;
  function filter() {
    var chosen = river.value;
    Array.prototype.forEach.call(reach.options, function (option) {
      var own = option.dataset.river;
      var show = !own || own === chosen;
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) reach.value = "";
    });
  }
  river.addEventListener("change", filter);
  filter();
})();
