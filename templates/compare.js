(function () {
  "use strict";
  // "Changes since the last run" (compare.html). Each changed case's row in the list gets a
  // mark saying how it changed ("new failure"), and a link to a case, which sets the hash the
  // report's script reads to open it, brings that row into view once it is there.
  var section = document.getElementById("compare");
  var list = document.getElementById("list");
  if (!section || !list) return;
  var header = document.querySelector(".top");

  function caseOf(link) {
    return new URLSearchParams(link.hash.slice(1)).get("open");
  }

  var marks = new Map();  // case id -> [kind, label], for every case that has a row
  Array.prototype.forEach.call(section.querySelectorAll("details.change"), function (group) {
    var kind = (group.className.match(/\bk-([\w-]+)/) || [])[1];
    var label = group.getAttribute("data-label");
    Array.prototype.forEach.call(group.querySelectorAll("a.id"), function (link) {
      var id = caseOf(link);
      if (!marks.has(id)) marks.set(id, []);
      marks.get(id).push([kind, label]);
    });
  });

  function mark(row) {
    var found = row.caseData && marks.get(row.caseData.id);
    var id = found && row.querySelector(".row .id");
    if (!id) return;
    found.forEach(function (pair) {
      var note = document.createElement("span");
      note.className = "changed k-" + pair[0];
      note.textContent = pair[1];
      id.appendChild(note);
    });
  }

  // Rows are built a page at a time, and again on every filter: each is marked as it comes.
  Array.prototype.forEach.call(list.children, mark);
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      Array.prototype.forEach.call(record.addedNodes, function (node) {
        if (node.nodeType === 1) mark(node);
      });
    });
  }).observe(list, { childList: true });

  function reveal(id) {
    var rows = list.children;
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
    var id = caseOf(link);
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
