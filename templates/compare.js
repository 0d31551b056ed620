(function () {
  "use strict";
  // "Changes since the last run" (compare.html): a link to a case sets the hash to open it,
  // which the report's script reads; this brings that case's row into view once it is there.
  var section = document.getElementById("compare");
  if (!section) return;
  var header = document.querySelector(".top");

  function reveal(id) {
    var rows = document.querySelectorAll("#list .case");
    for (var k = 0; k < rows.length; k++) {
      if (rows[k].caseData && rows[k].caseData.id === id) {
        rows[k].scrollIntoView({ block: "start" });
        // Below the sticky header, not under it.
        if (header) window.scrollBy(0, -header.offsetHeight - 8);
        return;
      }
    }
  }

  section.addEventListener("click", function (event) {
    var link = event.target.closest("a.id");
    if (!link) return;
    var id = new URLSearchParams(link.hash.slice(1)).get("open");
    if (location.hash === link.hash) {
      reveal(id);  // opened already: no hash change to wait for
      return;
    }
    window.addEventListener("hashchange", function once() {
      window.removeEventListener("hashchange", once);
      reveal(id);
    });
  });
})();
