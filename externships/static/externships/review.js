// The review page's "select all" boxes, for a student and for the whole list. Without this
// script the page still works: each student has an "Approve all" button, and each log a box.
(function () {
  const boxes = document.querySelectorAll("[data-select-all]");
  const approve = document.querySelector('button[form="bulk"]');
  function picks(id) {
    return document.getElementById(id).querySelectorAll('input[type="checkbox"][form="bulk"]');
  }
  function refresh() {
    const checked = document.querySelectorAll('input[type="checkbox"][form="bulk"]:checked');
    if (approve) {
      approve.textContent = checked.length ? "Approve selected (" + checked.length + ")" : "Approve selected";
    }
    boxes.forEach(function (box) {
      const all = Array.from(picks(box.dataset.selectAll));
      const on = all.filter(function (pick) { return pick.checked; }).length;
      box.checked = all.length > 0 && on === all.length;
      box.indeterminate = on > 0 && on < all.length;
    });
  }
  boxes.forEach(function (box) {
    box.closest("[hidden]").hidden = false;
    box.addEventListener("change", function () {
      picks(box.dataset.selectAll).forEach(function (pick) { pick.checked = box.checked; });
      refresh();
    });
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches('input[type="checkbox"][form="bulk"]')) {
      refresh();
    }
  });
  refresh();
})();
