(function () {
  "use strict";
  // Builds the case list from the JSON block. Text only ever goes in through textContent.
  var RANK = { error: 0, failed: 1, xpassed: 2, xfailed: 3, skipped: 4, passed: 5 };
  // Not an outcome but filtered like one: passed after failed attempts.
  var FLAKY = "flaky";
  var PAGE = 200;
  var DEFAULT_SORT = "outcome";

  var data = JSON.parse(document.getElementById("report-data").textContent);
  var cases = data.cases;
  for (var i = 0; i < cases.length; i++) {
    cases[i].n = i;
  }

  var list = document.getElementById("list");
  var status = document.getElementById("status");
  var more = document.getElementById("more");
  var search = document.getElementById("search");
  var tagSelect = document.getElementById("tag");
  var sortSelect = document.getElementById("sort");
  var chips = Array.prototype.slice.call(document.querySelectorAll(".chip"));

  var state = { q: "", outcomes: new Set(), tag: "", sort: DEFAULT_SORT, open: new Set() };
  state.us = ""; // durations from-to in µs, "100-1000" or "1000000-": a bucket of the histogram
  var view = [];
  var shown = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Durations arrive as whole microseconds.
  function duration(us) {
    var seconds = us / 1e6;
    if (us < 1000) return us + " µs";
    if (seconds < 1) return Math.round(seconds * 1000) + " ms";
    if (seconds < 60) return seconds.toFixed(2) + " s";
    var total = Math.round(seconds);
    var minutes = Math.floor(total / 60);
    if (minutes < 60) return minutes + " min " + String(total % 60).padStart(2, "0") + " s";
    return Math.floor(minutes / 60) + " h " + String(minutes % 60).padStart(2, "0") + " min";
  }

  function time(epoch) {
    var d = new Date(epoch * 1000);
    function two(n) { return String(n).padStart(2, "0"); }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) + " " +
      two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()) + "." +
      String(d.getMilliseconds()).padStart(3, "0");
  }

  function haystack(c) {
    if (c.h === undefined) {
      c.h = (c.id + "\n" + (c.message || "") + "\n" + (c.explained || "") + "\n" +
        (c.description || "")).toLowerCase();
    }
    return c.h;
  }

  // --- the view's state, kept in the URL hash so a link reopens the same view ---

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    state.q = params.get("q") || "";
    state.outcomes = new Set((params.get("o") || "").split(",").filter(function (o) {
      return o in RANK || o === FLAKY;
    }));
    state.tag = params.get("tag") || "";
    state.us = /^[0-9]+-[0-9]*$/.test(params.get("us") || "") ? params.get("us") : "";
    var sort = params.get("sort") || DEFAULT_SORT;
    state.sort = ["outcome", "duration", "name", "run"].indexOf(sort) >= 0 ? sort : DEFAULT_SORT;
    state.open = new Set(params.getAll("open"));
    search.value = state.q;
    if (!Array.prototype.some.call(tagSelect.options, function (o) { return o.value === state.tag; })) {
      state.tag = "";
    }
    tagSelect.value = state.tag;
    sortSelect.value = state.sort;
    chips.forEach(function (chip) {
      var outcomes = chipOutcomes(chip);
      var on = outcomes.length ? outcomes.every(function (o) { return state.outcomes.has(o); })
        : state.outcomes.size === 0;
      chip.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  // A chip filters one outcome, or (a count's chip, e.g. "6 failed") every outcome of a count.
  function chipOutcomes(chip) {
    return (chip.getAttribute("data-outcome") || "").split(",").filter(Boolean);
  }

  function writeHash() {
    var params = new URLSearchParams();
    if (state.q) params.set("q", state.q);
    if (state.outcomes.size) params.set("o", Array.from(state.outcomes).join(","));
    if (state.tag) params.set("tag", state.tag);
    if (state.us) params.set("us", state.us);
    if (state.sort !== DEFAULT_SORT) params.set("sort", state.sort);
    state.open.forEach(function (id) { params.append("open", id); });
    var hash = params.toString();
    var url = location.href.replace(/#.*$/, "") + (hash ? "#" + hash : "");
    try {
      history.replaceState(null, "", url);
    } catch (e) {
      // Some browsers refuse replaceState on file:// pages; a plain hash change still works.
      ignoreHashChange = true;
      location.hash = hash;
    }
  }

  // --- filtering, sorting, rendering ---

  var COMPARE = {
    outcome: function (a, b) { return RANK[a.outcome] - RANK[b.outcome] || a.n - b.n; },
    duration: function (a, b) { return b.us - a.us || a.n - b.n; },
    name: function (a, b) { return a.id < b.id ? -1 : a.id > b.id ? 1 : a.n - b.n; },
    run: function (a, b) { return a.n - b.n; }
  };

  // A case run again after failing (retries) has its failed attempts; passed in the end, flaky.
  function isFlaky(c) {
    return c.attempts !== undefined && c.outcome === "passed";
  }

  function compute() {
    var terms = state.q.toLowerCase().split(/\s+/).filter(Boolean);
    var outcomes = state.outcomes;
    var flaky = outcomes.has(FLAKY);
    var tag = state.tag;
    var span = state.us.split("-"), from = +span[0], to = span[1] ? +span[1] : Infinity;
    view = cases.filter(function (c) {
      if (outcomes.size && !outcomes.has(c.outcome) && !(flaky && isFlaky(c))) return false;
      if (tag && !(c.tags && c.tags.indexOf(tag) >= 0)) return false;
      if (state.us && (c.us < from || c.us >= to)) return false;
      if (terms.length) {
        var h = haystack(c);
        for (var t = 0; t < terms.length; t++) if (h.indexOf(terms[t]) < 0) return false;
      }
      return true;
    });
    view.sort(COMPARE[state.sort]);
  }

  function row(c) {
    var item = el("div", "case o-" + c.outcome);
    item.setAttribute("role", "listitem");
    var button = el("button", "row");
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.appendChild(el("span", "badge", c.outcome));
    var id = el("span", "id");
    var cut = c.id.lastIndexOf("::");
    if (cut >= 0) {
      id.appendChild(el("span", "mod", c.id.slice(0, cut + 2)));
      id.appendChild(el("b", null, c.id.slice(cut + 2)));
    } else {
      id.appendChild(el("b", null, c.id));
    }
    if (c.tags) c.tags.forEach(function (tag) { id.appendChild(el("span", "tag", tag)); });
    if (c.attempts) {
      var total = c.attempts.length + 1;
      id.appendChild(isFlaky(c) ? el("span", "note flaky", "flaky · passed on attempt " + total)
        : el("span", "note", total + " attempts"));
    }
    button.appendChild(id);
    button.appendChild(el("span", "dur", c.us ? duration(c.us) : ""));
    if (c.message) button.appendChild(el("span", "msg", c.message.split("\n", 1)[0]));
    else if (c.description) button.appendChild(el("span", "msg desc", c.description.split("\n", 1)[0]));
    // The values that differed (`assert 3 == 4`), without opening the case.
    if (c.explained) button.appendChild(el("span", "msg why", c.explained));
    item.appendChild(button);
    item.caseData = c;
    if (state.open.has(c.id)) expand(item, c);
    return item;
  }

  function renderMore() {
    var end = Math.min(view.length, shown + PAGE);
    var fragment = document.createDocumentFragment();
    for (var k = shown; k < end; k++) fragment.appendChild(row(view[k]));
    list.appendChild(fragment);
    shown = end;
    more.hidden = shown >= view.length;
    more.textContent = "Show " + Math.min(PAGE, view.length - shown) + " more (" +
      (view.length - shown).toLocaleString() + " left)";
    updateStatus();
  }

  function updateStatus() {
    var total = cases.length;
    var text;
    if (!view.length) {
      text = "";
    } else if (view.length === total) {
      text = total.toLocaleString() + (total === 1 ? " case" : " cases");
    } else {
      text = view.length.toLocaleString() + " of " + total.toLocaleString() + " cases match";
    }
    if (view.length && shown < view.length) text += " · showing " + shown.toLocaleString();
    status.textContent = text;
  }

  function render() {
    compute();
    list.textContent = "";
    shown = 0;
    var old = document.getElementById("empty");
    if (old) old.remove();
    if (!view.length) {
      var empty = el("div", "empty", cases.length ? "No cases match. " : "No cases ran.");
      empty.id = "empty";
      if (cases.length) {
        var clear = el("button", null, "Clear filters");
        clear.type = "button";
        clear.addEventListener("click", function () {
          state.q = ""; state.outcomes = new Set(); state.tag = "";
          state.us = "";
          writeHash(); readHash(); render();
        });
        empty.appendChild(clear);
      }
      list.parentNode.insertBefore(empty, list);
    }
    // Make sure every case opened through the link is on the page.
    var last = -1;
    for (var k = 0; k < view.length && state.open.size; k++) if (state.open.has(view[k].id)) last = k;
    do { renderMore(); } while (shown <= last);
  }

  // --- details, built only when a case is opened ---

  function section(parent, title) {
    parent.appendChild(el("h3", null, title));
  }

  // Code (a traceback, an assert's explanation) keeps its lines whole, so the ^^^ markers
  // stay under what they mark: a narrow screen scrolls the block instead of wrapping it.
  function pre(parent, text, code) {
    parent.appendChild(el("pre", code ? "code" : null, text));
  }

  // "Attempt 1 of 3, em dash, failed in run, 12 ms": the stage that failed, if one did.
  function attemptHead(a, number, total, us) {
    var failed = (a.stages || []).filter(function (s) { return !s[1]; })[0];
    return "Attempt " + number + " of " + total + " \u2014 " + a.outcome +
      (failed ? " in " + failed[0] : "") + " · " + duration(us);
  }

  // The line of the first exception, which the message is when there is no other.
  function firstException(r) {
    var first = (r.stages || []).filter(function (s) { return s[3]; })[0];
    return first ? first[3].type + (first[3].message ? ": " + first[3].message : "") : "";
  }

  // What a case's run (or one of its attempts) left: its stages, their exceptions, its output.
  function result(box, r) {
    if (r.stages && r.stages.length) {
      section(box, "Stages");
      var stages = el("table");
      r.stages.forEach(function (s) {
        var tr = el("tr");
        tr.appendChild(el("th", null, s[0]));
        tr.appendChild(el("td", s[1] ? "ok" : "bad", s[1] ? "ok" : "failed"));
        tr.appendChild(el("td", "dur", duration(s[2])));
        stages.appendChild(tr);
      });
      box.appendChild(stages);
      r.stages.forEach(function (s) {
        var x = s[3];
        if (!x) return;
        section(box, "Exception in " + s[0]);
        box.appendChild(el("p", "exc", x.type + (x.message ? ": " + x.message : "")));
        if (x.explanation) pre(box, x.explanation, true);
        if (x.traceback) pre(box, x.traceback, true);
      });
    }

    [["stdout", "Captured stdout"], ["stderr", "Captured stderr"], ["log", "Captured log"]].forEach(function (pair) {
      if (r[pair[0]]) {
        section(box, pair[1]);
        pre(box, r[pair[0]]);
      }
    });
  }

  function detail(c) {
    var box = el("div", "detail");
    var meta = el("dl", "meta");
    function fact(name, value) {
      if (value === undefined || value === null || value === "") return;
      meta.appendChild(el("dt", null, name));
      meta.appendChild(el("dd", null, value));
    }
    fact("id", c.id);
    fact("description", c.description);
    fact("location", c.file ? c.file + (c.line ? ":" + c.line : "") : "");
    fact("started", c.start_ms !== undefined ? time(data.start + c.start_ms / 1000) : "");
    fact(c.attempts ? "duration, all attempts" : "duration", duration(c.us));
    if (c.tags) fact("tags", c.tags.join(", "));
    if (c.attempts) {
      var runs = c.attempts.length + 1;
      fact("attempts", isFlaky(c) ? runs + " (flaky: passed on attempt " + runs + ")"
        : c.outcome === "failed" || c.outcome === "error" ? runs + ", every one failed" : String(runs));
    }
    // The message is shown with the exception below when it is just that exception's line.
    if (c.message && c.message !== firstException(c)) fact("message", c.message);
    section(box, "Case");
    box.appendChild(meta);

    if (c.params && c.params.length) {
      section(box, "Parameters");
      var table = el("table");
      c.params.forEach(function (p) {
        var tr = el("tr");
        tr.appendChild(el("th", null, p[0]));
        tr.appendChild(el("td", "value", p[1]));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }

    if (c.attempts) {
      // Every attempt in turn, the failed ones first, each in a block of its own; the last
      // is the case's own result, shown below as any case's is.
      var total = c.attempts.length + 1;
      c.attempts.forEach(function (a, k) {
        var block = el("details", "attempt o-" + a.outcome);
        block.open = true;
        block.appendChild(el("summary", null, attemptHead(a, k + 1, total, a.us)));
        var said = firstException(a);
        if (a.message && a.message !== said) block.appendChild(el("p", "exc", a.message));
        if (a.start_ms !== undefined) {
          block.appendChild(el("p", "when", "started " + time(data.start + a.start_ms / 1000)));
        }
        result(block, a);
        box.appendChild(block);
      });
      // A retried case's own time is that of all its attempts; its last took its stages'.
      var own = (c.stages || []).reduce(function (sum, s) { return sum + s[2]; }, 0);
      var last = el("div", "attempt last o-" + c.outcome);
      var head = el("p", "head", attemptHead(c, total, total, own) + " ");
      head.appendChild(el("span", "mark", "(the case's result)"));
      last.appendChild(head);
      result(last, c);
      box.appendChild(last);
    } else {
      result(box, c);
    }

    var link = el("p", "copy");
    var a = el("a", null, "Link to this case");
    var params = new URLSearchParams();
    params.append("open", c.id);
    a.href = "#" + params.toString();
    a.addEventListener("click", function (event) {
      event.preventDefault();
      state.q = ""; state.outcomes = new Set(); state.tag = ""; state.open = new Set([c.id]);
      state.us = "";
      writeHash(); readHash(); render();
      var node = findRow(c.id);
      if (node) node.scrollIntoView({ block: "start" });
    });
    link.appendChild(a);
    box.appendChild(link);
    return box;
  }

  function findRow(id) {
    var nodes = list.children;
    for (var k = 0; k < nodes.length; k++) if (nodes[k].caseData.id === id) return nodes[k];
    return null;
  }

  function expand(item, c) {
    item.classList.add("open");
    item.firstChild.setAttribute("aria-expanded", "true");
    item.appendChild(detail(c));
  }

  function collapse(item) {
    item.classList.remove("open");
    item.firstChild.setAttribute("aria-expanded", "false");
    if (item.lastChild.className === "detail") item.removeChild(item.lastChild);
  }

  // --- events ---

  var ignoreHashChange = false;
  var searchTimer = 0;

  list.addEventListener("click", function (event) {
    var button = event.target.closest(".row");
    if (!button) return;
    var item = button.parentNode;
    var c = item.caseData;
    if (item.classList.contains("open")) {
      collapse(item);
      state.open.delete(c.id);
    } else {
      expand(item, c);
      state.open.add(c.id);
    }
    writeHash();
  });

  chips.forEach(function (chip) {
    chip.addEventListener("click", function (event) {
      var outcomes = chipOutcomes(chip);
      var all = outcomes.every(function (o) { return state.outcomes.has(o); });
      if (!outcomes.length) {
        state.outcomes = new Set();
      } else if (event.ctrlKey || event.metaKey || event.shiftKey) {
        // With a modifier a chip adds to the selection; without, it selects only its own.
        outcomes.forEach(function (o) { if (all) state.outcomes.delete(o); else state.outcomes.add(o); });
      } else if (all && state.outcomes.size === outcomes.length) {
        state.outcomes = new Set();
      } else {
        state.outcomes = new Set(outcomes);
      }
      writeHash(); readHash(); render();
    });
  });

  search.addEventListener("input", function () {
    clearTimeout(searchTimer);
    // Small reports filter on every key; large ones wait for a pause in typing.
    searchTimer = setTimeout(function () {
      state.q = search.value.trim();
      writeHash(); render();
    }, cases.length > 2000 ? 150 : 0);
  });

  tagSelect.addEventListener("change", function () { state.tag = tagSelect.value; writeHash(); render(); });
  sortSelect.addEventListener("change", function () { state.sort = sortSelect.value; writeHash(); render(); });
  more.addEventListener("click", renderMore);

  window.addEventListener("hashchange", function () {
    if (ignoreHashChange) { ignoreHashChange = false; return; }
    readHash(); render();
  });

  document.addEventListener("keydown", function (event) {
    var typing = event.target === search || event.target.tagName === "SELECT";
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      search.focus();
      search.select();
    } else if (event.key === "Escape" && event.target === search && search.value) {
      search.value = "";
      state.q = "";
      writeHash(); render();
    }
  });

  // Load the next page as the end of the list comes into view.
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting && shown < view.length) renderMore();
    }, { rootMargin: "600px" }).observe(more.parentNode);
  }

  document.getElementById("controls").hidden = false;
  readHash();
  render();
  document.documentElement.setAttribute("data-ready", String(cases.length));
})();
