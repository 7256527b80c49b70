// reqctl site: type to filter a list page's rows (a static file, so a CSP of script-src 'self' allows it).
(function () {
  "use strict";
  var input = document.getElementById("filter");
  var count = document.getElementById("count");
  if (!input) { return; }
  var rows = document.querySelectorAll("#items tbody tr");
  input.addEventListener("input", function () {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    rows.forEach(function (row) {
      var text = row.textContent.toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) !== -1; });
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) { count.textContent = String(shown); }
  });
}());
