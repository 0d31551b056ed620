(function () {
  "use strict";
  // The run in pictures, from the data block: a timeline of the cases (one bar each, one lane
  // per worker process) and a histogram of their durations. Each outcome of a lane is a single
  // SVG path, so 5,000 cases cost a handful of elements; hovering finds the bar by position.
  var NS = "http://www.w3.org/2000/svg";
  // Drawn in this order, so the ones that need a look are on top.
  var OUTCOMES = ["passed", "skipped", "xfailed", "xpassed", "failed", "error"];
  var LANE = 18; // px, the height of a lane: lanes share about the histogram's height
  var GAP = 4; // px between lanes
  var AXIS = 18; // px under the lanes, for the time axis
  var PACKED = 8; // more workers than this share lanes with those that ended before them
  // The histogram's buckets, in microseconds: [from, to) on a log scale.
  var EDGES = [100, 1e3, 1e4, 1e5, 1e6, 1e7];
  var EDGE_LABELS = ["100\u00a0µs", "1\u00a0ms", "10\u00a0ms", "100\u00a0ms", "1\u00a0s", "10\u00a0s"];
  var PLOT = 110; // px, the height of the histogram's bars at most

  var section = document.getElementById("charts");
  var block = document.getElementById("report-data");
  if (!section || !block) return;
  var cases = JSON.parse(block.textContent).cases;
  if (!cases.length) return;
  var timelineBox = document.getElementById("timeline");
  var histogramBox = document.getElementById("histogram");
  var tip = document.getElementById("chart-tip");

  function node(tag, attrs, parent) {
    var el = document.createElementNS(NS, tag);
    for (var name in attrs) el.setAttribute(name, attrs[name]);
    if (parent) parent.appendChild(el);
    return el;
  }

  function text(x, y, value, anchor, parent) {
    var t = node("text", { x: x, y: y, "text-anchor": anchor || "start" }, parent);
    t.textContent = value;
    return t;
  }

  function duration(us) {
    if (us < 1000) return Math.round(us) + " µs";
    if (us < 1e6) return Math.round(us / 1000) + " ms";
    if (us < 6e7) return (us / 1e6).toFixed(2) + " s";
    var s = Math.round(us / 1e6);
    return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
  }

  // A tick of the time axis (milliseconds since the run's start), as short as its step allows.
  function tick(ms, step) {
    if (step >= 60000) return Math.round(ms / 60000) + " min";
    if (step >= 1000) return Math.round(ms / 1000) + " s";
    if (ms >= 1000) return +(ms / 1000).toFixed(3) + " s";
    return Math.round(ms) + " ms";
  }

  function niceStep(raw) {
    var power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var k = 0; k < steps.length; k++) if (steps[k] * power >= raw) return steps[k] * power;
    return 10 * power;
  }

  // --- the lanes: a worker each; beyond PACKED workers, a worker goes on the first lane whose
  // workers all ended before it began (say --isolate's children, one after the other) ---

  var untimed = 0;
  var end = 0; // ms after the run's start, of the last case to end
  var byWorker = new Map();
  cases.forEach(function (c) {
    if (c.start_ms === undefined) { untimed++; return; }
    var bar = { c: c, s: c.start_ms, e: c.start_ms + c.us / 1000 };
    if (bar.e > end) end = bar.e;
    var key = c.worker || "";
    var bars = byWorker.get(key);
    if (!bars) byWorker.set(key, bars = []);
    bars.push(bar);
  });
  var workers = [];
  byWorker.forEach(function (bars, name) {
    bars.sort(function (a, b) { return a.s - b.s; });
    var last = bars.reduce(function (m, b) { return Math.max(m, b.e); }, -Infinity);
    workers.push({ names: [name], bars: bars, s: bars[0].s, e: last });
  });
  var order = new Intl.Collator(undefined, { numeric: true });
  var lanes = workers;
  if (workers.length > PACKED) {
    workers.sort(function (a, b) { return a.s - b.s || order.compare(a.names[0], b.names[0]); });
    lanes = [];
    workers.forEach(function (w) {
      var lane = lanes.filter(function (l) { return l.e <= w.s; })[0];
      if (!lane) {
        lanes.push({ names: w.names.slice(), bars: w.bars.slice(), s: w.s, e: w.e });
      } else {
        lane.names.push(w.names[0]);
        lane.bars = lane.bars.concat(w.bars);
        lane.e = w.e;
      }
    });
  } else {
    lanes.sort(function (a, b) { return order.compare(a.names[0], b.names[0]); });
  }
  LANE = Math.max(10, Math.min(40, Math.floor(128 / Math.max(lanes.length, 1)) - GAP));
  var labelled = lanes.length > 1 || (lanes.length === 1 && lanes[0].names[0] !== "");
  lanes.forEach(function (l) {
    l.label = l.names.length > 2 ? l.names[0] + "–" + l.names[l.names.length - 1] : l.names.join(", ");
  });

  // --- the timeline ---

  var timeline = null; // what the pointer needs: the drawn scale and the marker
  function drawTimeline() {
    timelineBox.textContent = "";
    timeline = null;
    if (!lanes.length) return;
    var width = Math.max(timelineBox.clientWidth, 240);
    var gutter = labelled ? Math.min(88, 12 + 6.5 * lanes.reduce(function (m, l) {
      return Math.max(m, l.label.length);
    }, 0)) : 0;
    var plot = width - gutter - 6;
    var span = Math.max(end, 1);
    var scale = plot / span;
    var height = lanes.length * (LANE + GAP) + AXIS;
    var svg = node("svg", {
      width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Timeline: " + (cases.length - untimed) + " cases on " + lanes.length +
        (lanes.length === 1 ? " lane" : " lanes") + " over " + duration(end * 1000)
    });
    var step = niceStep(span / Math.max(2, plot / 70));
    for (var t = 0; t <= span + step / 1e6; t += step) {
      var x = Math.round(gutter + t * scale) + 0.5;
      node("line", { class: "grid", x1: x, x2: x, y1: 0, y2: lanes.length * (LANE + GAP) }, svg);
      var label = text(x, height - 4, tick(t, step), t === 0 ? "start" : "middle", svg);
      if (x > width - 24) label.setAttribute("text-anchor", "end");
    }
    lanes.forEach(function (lane, k) {
      var y = k * (LANE + GAP);
      var g = node("g", {
        class: "lane", "data-worker": lane.names.join(" "), "data-cases": lane.bars.length
      }, svg);
      node("rect", { class: "lane-bg", x: gutter, y: y, width: plot, height: LANE }, g);
      if (labelled) text(0, y + LANE / 2 + 4, lane.label, "start", g);
      var paths = {};
      lane.bars.forEach(function (b) {
        var x0 = gutter + b.s * scale;
        var w = (b.e - b.s) * scale;
        w = w >= 3 ? w - 1 : Math.max(w, 1); // a hairline between cases that follow each other
        var d = paths[b.c.outcome] || (paths[b.c.outcome] = []);
        d.push("M" + x0.toFixed(1) + " " + y + "h" + w.toFixed(1) + "v" + LANE + "h-" + w.toFixed(1) + "z");
      });
      OUTCOMES.forEach(function (o) {
        if (paths[o]) {
          node("path", {
            class: "bars seg-" + o, "data-outcome": o, "data-cases": paths[o].length, d: paths[o].join("")
          }, g);
        }
      });
    });
    var mark = node("rect", { class: "mark", x: 0, y: 0, width: 0, height: LANE, visibility: "hidden" }, svg);
    timelineBox.appendChild(svg);
    timeline = { svg: svg, gutter: gutter, scale: scale, mark: mark };
  }

  // The bar under a point of the timeline (within `slack` px), or null.
  function barAt(event, slack) {
    if (!timeline) return null;
    var box = timeline.svg.getBoundingClientRect();
    var x = event.clientX - box.left;
    var y = event.clientY - box.top;
    var k = Math.floor(y / (LANE + GAP));
    if (k < 0 || k >= lanes.length || y - k * (LANE + GAP) > LANE) return null;
    var bars = lanes[k].bars;
    var t = (x - timeline.gutter) / timeline.scale;
    var lo = 0, hi = bars.length - 1;
    while (lo < hi) { // the last bar that starts at or before t
      var mid = (lo + hi + 1) >> 1;
      if (bars[mid].s <= t) lo = mid; else hi = mid - 1;
    }
    var best = null, distance = slack / timeline.scale;
    for (var j = Math.max(0, lo - 1); j <= Math.min(bars.length - 1, lo + 1); j++) {
      var b = bars[j];
      var off = t < b.s ? b.s - t : t > b.e ? t - b.e : 0;
      if (off <= distance) { best = b; distance = off; }
    }
    return best ? { bar: best, lane: k } : null;
  }

  function showTip(event, c, lines) {
    tip.textContent = "";
    tip.className = "chart-tip o-" + (c ? c.outcome : "");
    if (c) {
      var id = document.createElement("span");
      id.className = "id";
      id.textContent = c.id;
      tip.appendChild(id);
    }
    var what = document.createElement("span");
    what.className = "what";
    lines.forEach(function (part, k) {
      if (k) what.appendChild(document.createTextNode(" · "));
      if (k === 0 && c) {
        var b = document.createElement("b");
        b.textContent = part;
        what.appendChild(b);
      } else {
        what.appendChild(document.createTextNode(part));
      }
    });
    tip.appendChild(what);
    tip.hidden = false;
    var area = section.getBoundingClientRect();
    var left = event.clientX - area.left + 12;
    var top = event.clientY - area.top + 14;
    left = Math.max(0, Math.min(left, area.width - tip.offsetWidth));
    tip.style.left = left + "px";
    tip.style.top = top + "px";
  }

  function hideTip() {
    tip.hidden = true;
    shownCase = null;
    if (timeline) timeline.mark.setAttribute("visibility", "hidden");
    Array.prototype.forEach.call(histogramBox.querySelectorAll(".bucket.on"), function (g) {
      g.classList.remove("on");
    });
  }

  var shownCase = null;
  var touch = false; // the last pointer was a finger: a first tap shows, a second one jumps

  function pointBar(event) {
    var found = barAt(event, touch ? 10 : 4);
    if (!found) { hideTip(); return null; }
    var b = found.bar, c = b.c;
    var facts = [c.outcome, duration(c.us)];
    if (c.worker) facts.push(c.worker);
    showTip(event, c, facts);
    shownCase = c;
    var x0 = timeline.gutter + b.s * timeline.scale;
    var w = Math.max((b.e - b.s) * timeline.scale, 1);
    timeline.mark.setAttribute("x", (x0 - 1).toFixed(1));
    timeline.mark.setAttribute("y", String(found.lane * (LANE + GAP) - 1));
    timeline.mark.setAttribute("width", (w + 2).toFixed(1));
    timeline.mark.setAttribute("height", String(LANE + 2));
    timeline.mark.setAttribute("visibility", "visible");
    return c;
  }

  // Open the case in the list below, as a link to it would (report.js reads the hash).
  var pending = null;
  function jump(id) {
    var params = new URLSearchParams();
    params.append("open", id);
    var hash = "#" + params.toString();
    hideTip();
    if (location.hash === hash) { reveal(id); return; }
    pending = id;
    location.hash = hash;
  }

  function reveal(id) {
    var rows = document.getElementById("list").children;
    for (var k = 0; k < rows.length; k++) {
      if (rows[k].caseData && rows[k].caseData.id === id) {
        rows[k].scrollIntoView({ block: "center" });
        rows[k].firstChild.focus({ preventScroll: true });
        return;
      }
    }
  }

  window.addEventListener("hashchange", function () {
    // After report.js, which listened first, has rendered the list the hash asks for.
    if (pending === null) return;
    var id = pending;
    pending = null;
    reveal(id);
  });

  timelineBox.addEventListener("pointerdown", function (event) { touch = event.pointerType !== "mouse"; });
  timelineBox.addEventListener("pointermove", function (event) {
    if (event.pointerType === "mouse") { touch = false; pointBar(event); }
  });
  timelineBox.addEventListener("pointerleave", function (event) {
    if (event.pointerType === "mouse") hideTip();
  });
  timelineBox.addEventListener("click", function (event) {
    // A mouse opens the case its tip names (a click's whole pixels may fall on a neighbour of
    // a bar thinner than one); a finger's first tap names the case, a second one opens it.
    var before = shownCase;
    if (!touch && before) { jump(before.id); return; }
    var c = pointBar(event);
    if (c && (!touch || before === c)) jump(c.id);
  });

  // --- the histogram of durations ---

  var buckets = [];
  for (var b = 0; b <= EDGES.length; b++) {
    buckets.push({ lo: b ? EDGES[b - 1] : 0, hi: b < EDGES.length ? EDGES[b] : Infinity, total: 0, by: {} });
  }
  cases.forEach(function (c) {
    var k = 0;
    while (k < EDGES.length && c.us >= EDGES[k]) k++;
    var bucket = buckets[k];
    bucket.total++;
    bucket.by[c.outcome] = (bucket.by[c.outcome] || 0) + 1;
  });

  function range(bucket) {
    if (!bucket.lo) return "under " + duration(bucket.hi);
    if (bucket.hi === Infinity) return duration(bucket.lo) + " or more";
    return duration(bucket.lo) + " to " + duration(bucket.hi);
  }

  function drawHistogram() {
    histogramBox.textContent = "";
    var width = Math.max(histogramBox.clientWidth, 220);
    var top = 14, base = top + PLOT, height = base + 20;
    var most = buckets.reduce(function (m, bk) { return Math.max(m, bk.total); }, 0);
    var slot = width / buckets.length;
    var svg = node("svg", {
      width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": "Durations: " + buckets.map(function (bk) {
        return range(bk) + ": " + bk.total;
      }).join("; ")
    });
    node("line", { class: "grid", x1: 0, x2: width, y1: base + 0.5, y2: base + 0.5 }, svg);
    buckets.forEach(function (bucket, k) {
      var g = node("g", {
        class: "bucket", "data-from-us": bucket.lo, "data-to-us": bucket.hi === Infinity ? "" : bucket.hi,
        "data-cases": bucket.total
      }, svg);
      g.bucket = bucket;
      node("rect", { class: "hit", x: k * slot, y: 0, width: slot, height: base }, g);
      var x = k * slot + slot * 0.15, w = slot * 0.7;
      var y = base;
      var tall = bucket.total ? Math.max(2, PLOT * bucket.total / most) : 0;
      OUTCOMES.forEach(function (o) {
        var n = bucket.by[o];
        if (!n) return;
        var h = tall * n / bucket.total;
        y -= h;
        node("rect", {
          class: "seg-" + o, "data-outcome": o, "data-cases": n,
          x: x.toFixed(1), y: y.toFixed(1), width: w.toFixed(1), height: h.toFixed(1)
        }, g);
      });
      if (bucket.total) text(k * slot + slot / 2, base - tall - 3, bucket.total.toLocaleString(), "middle", g);
      if (k) text(k * slot, height - 5, EDGE_LABELS[k - 1], "middle", svg);
    });
    histogramBox.appendChild(svg);
  }

  function bucketAt(event) {
    var g = event.target.closest && event.target.closest(".bucket");
    return g ? g : null;
  }

  function pointBucket(event) {
    var g = bucketAt(event);
    if (!g) { hideTip(); return null; }
    var bucket = g.bucket;
    var parts = [range(bucket), bucket.total + (bucket.total === 1 ? " case" : " cases")];
    OUTCOMES.forEach(function (o) {
      if (bucket.by[o] && bucket.by[o] !== bucket.total) parts.push(bucket.by[o] + " " + o);
    });
    if (bucket.total) {
      parts.push(g.classList.contains("picked") ? "click to list all" : "click to list them");
    }
    showTip(event, null, parts);
    Array.prototype.forEach.call(histogramBox.querySelectorAll(".bucket.on"), function (other) {
      if (other !== g) other.classList.remove("on");
    });
    g.classList.add("on");
    return g;
  }

  histogramBox.addEventListener("pointermove", function (event) {
    if (event.pointerType === "mouse") pointBucket(event);
  });
  histogramBox.addEventListener("pointerleave", function (event) {
    if (event.pointerType === "mouse") hideTip();
  });
  // A click on a bucket filters the list to its durations (report.js reads "us" in the hash);
  // a click on the bucket it filters by shows every case again.
  function key(bucket) {
    return bucket.lo + "-" + (bucket.hi === Infinity ? "" : bucket.hi);
  }

  function hashParams() {
    return new URLSearchParams(location.hash.replace(/^#/, ""));
  }

  histogramBox.addEventListener("click", function (event) {
    var g = pointBucket(event);
    if (!g || !g.bucket.total) return;
    var params = hashParams();
    params.delete("open");
    if (params.get("us") === key(g.bucket)) params.delete("us");
    else params.set("us", key(g.bucket));
    location.hash = params.toString();
  });

  // The bucket the list is filtered by, marked; after every render of the list (a filter
  // cleared in the list changes the hash without a hashchange).
  function markPicked() {
    var us = hashParams().get("us") || "";
    var on = null;
    Array.prototype.forEach.call(histogramBox.querySelectorAll(".bucket"), function (g) {
      var picked = key(g.bucket) === us;
      g.classList.toggle("picked", picked);
      if (picked) on = g.bucket;
    });
    var note = on ? "listed: " + range(on) : "cases per duration";
    document.getElementById("histogram-note").textContent = note;
  }
  document.addEventListener("pointerdown", function (event) {
    if (!section.contains(event.target)) hideTip();
  });

  function notes() {
    var timed = cases.length - untimed;
    var note = timed + (timed === 1 ? " case" : " cases");
    if (labelled) note += " · " + workers.length + (workers.length === 1 ? " worker" : " workers");
    if (untimed) note += " · " + untimed + " without a start time, not drawn";
    document.getElementById("timeline-note").textContent = note;
  }

  section.hidden = false;
  notes();
  drawTimeline();
  drawHistogram();
  markPicked();
  new MutationObserver(markPicked).observe(document.getElementById("status"), {
    childList: true, characterData: true, subtree: true
  });
  var drawnWidth = timelineBox.clientWidth;
  var frame = 0;
  window.addEventListener("resize", function () {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(function () {
      if (timelineBox.clientWidth === drawnWidth) return;
      drawnWidth = timelineBox.clientWidth;
      hideTip();
      drawTimeline();
      drawHistogram();
      markPicked();
    });
  });
  section.setAttribute("data-drawn", String(cases.length));
})();
