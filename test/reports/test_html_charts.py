"""The HTML report's pictures of a run: a timeline (a bar per case, a lane per worker process)
and a histogram of case durations, drawn by the page's script from its data block; and the
worker of each case behind them, named by `-n`, `--isolate` and pytest-xdist, kept in the
journal so `report` draws the same again. A serial run names none.

Real runs of a project on disk (serial, `-n 2`, `--isolate`, the pytest engine and plain
pytest with pytest-xdist), the written reports and journals parsed back, and the pages opened
in headless Chromium: their DOM after the script ran, at desktop and phone width.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from test.reports._e2e_helpers import (
    Element,
    assert_schema_valid,
    dump_dom,
    project,
    read_html,
    report_data,
    tree,
)
from test.support import Ran, package, run, run_pytest
from thinking_tests import run_current_module, test

# Four modules (so `-n 2` has work for both workers from the start), every outcome, and cases
# of known least durations: each sleeps at least that long.
MODULE = '''
import time

from thinking_tests import test


@test(params=[0.001, 0.03, 0.12])
def sleeps(seconds):
    time.sleep(seconds)


@test
def fails():
    assert 1 == 2, "NAME fails"


@test(skip="not here")
def skipped():
    pass


@test(xfail="known bug")
def expected():
    raise ValueError("as expected")


@test
def quick():
    pass
'''
MODULES = ("alpha", "beta", "gamma", "delta")
PER_MODULE = 7  # 3 sleeps, fails, skipped, expected, quick
CASES = PER_MODULE * len(MODULES)
COUNTS = (4 * len(MODULES), len(MODULES), 2 * len(MODULES))  # passed, failed, skipped
# The histogram's bucket edges in microseconds, as the page's script has them.
EDGES = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)


def sample() -> Path:
    files = package("test")
    for name in MODULES:
        files[f"test/test_{name}.py"] = MODULE.replace("NAME", name)
    return project(files)


def ran_ok(ran: Ran) -> Ran:
    assert ran.code == 1 and ran.counts == COUNTS, ran
    return ran


def cases_of(page: Path) -> list[dict[str, Any]]:
    """The cases of the report's data block (the page parsed strictly first)."""
    parser, _ = read_html(page)
    cases: list[dict[str, Any]] = report_data(parser)["cases"]
    return cases


def journal_cases(path: Path) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in path.read_text(encoding="ascii").splitlines()]
    return [record for record in records if record.get("kind") == "case"]


def module_of(case: dict[str, Any]) -> str:
    return str(case["id"]).partition("::")[0]


def workers_by_module(cases: list[dict[str, Any]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for case in cases:
        found.setdefault(module_of(case), set()).add(case.get("worker", ""))
    return found


# --- the worker of each case -------------------------------------------------------------


@test("a serial run names no worker: not in the report's data, not in the journal")
def serial_names_no_worker() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "--report-dir", "reports", cwd=root))
    cases = cases_of(root / "reports" / "report.html")
    assert len(cases) == CASES, cases
    assert not [case for case in cases if "worker" in case], cases
    assert all("start_ms" in case for case in cases), cases
    journaled = journal_cases(root / "reports" / "journal.jsonl")
    assert len(journaled) == CASES and not [c for c in journaled if "worker" in c], journaled


@test("-n 2: each case names its worker (w0 or w1), a module's cases the same one, in the report, "
      "the journal and the report `report` rebuilds from it; JUnit XML stays valid without it")
def workers_of_n_2() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "-n", "2", "--report-dir", "reports", cwd=root))
    reports = root / "reports"
    cases = cases_of(reports / "report.html")
    assert len(cases) == CASES, cases
    assert {case.get("worker") for case in cases} == {"w0", "w1"}, cases
    for module, workers in workers_by_module(cases).items():
        assert len(workers) == 1, (module, workers)  # modules go to workers whole
    journaled = {c["id"]: c.get("worker") for c in journal_cases(reports / "journal.jsonl")}
    assert journaled == {c["id"]: c["worker"] for c in cases}, journaled
    junit = (reports / "junit.xml").read_text(encoding="utf-8")
    assert "worker" not in junit and '"w0"' not in junit, junit[:2000]
    assert_schema_valid(reports / "junit.xml")

    page = (reports / "report.html").read_bytes()
    rebuilt = run("-m", "thinking_tests", "report", str(reports), cwd=root)
    assert rebuilt.code == 1 and rebuilt.counts == COUNTS, rebuilt
    assert (reports / "report.html").read_bytes() != page, "report did not write the page again"
    again = cases_of(reports / "report.html")
    kept = ("outcome", "us", "worker")
    assert {c["id"]: [c.get(k) for k in kept] for c in again} == {
        c["id"]: [c.get(k) for k in kept] for c in cases
    }
    assert all("start_ms" in case for case in again), again


@test("--isolate: each case names the child process of its module (c0, c1, ...)")
def children_of_isolate() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "--isolate", "--report-dir", "reports", cwd=root))
    cases = cases_of(root / "reports" / "report.html")
    by_module = workers_by_module(cases)
    assert set(by_module) == {f"test.test_{name}" for name in MODULES}, by_module
    children = [workers.pop() for workers in by_module.values() if len(workers) == 1]
    assert len(children) == len(MODULES) and len(set(children)) == len(MODULES), by_module
    assert all(re.fullmatch(r"c\d+", child) for child in children), children


@test("the pytest engine and plain pytest with pytest-xdist's -n 2: each case names its xdist "
      "worker (gw0, gw1), in the report and the journal")
def workers_of_xdist() -> None:
    root = sample()
    engine = run("-m", "test.run_all", "--backend", "pytest", "-n", "2", "--report-dir", "engine", cwd=root)
    ran_ok(engine)
    plain = run_pytest("-n", "2", "-q", "-p", "no:cacheprovider", cwd=root)
    assert plain.code == 1, plain
    for folder in ("engine", "reports"):
        cases = cases_of(root / folder / "report.html")
        assert len(cases) == CASES, (folder, cases)
        assert {case.get("worker") for case in cases} == {"gw0", "gw1"}, (folder, cases)
    journaled = journal_cases(root / "engine" / "journal.jsonl")
    assert {c.get("worker") for c in journaled} == {"gw0", "gw1"}, journaled
    assert_schema_valid(root / "engine" / "junit.xml")


# --- the pictures, in the browser ----------------------------------------------------------


def bars(path: Element) -> int:
    """How many bars one path of the timeline draws: one closed rectangle each."""
    return path.attrs["d"].count("M")


def check_charts(page: Path, window: tuple[int, int]) -> Element:
    """The page opened in Chromium: a bar per case on a lane per worker of the data block, and
    a histogram whose buckets hold each case once, in the bucket of its duration."""
    cases = cases_of(page)
    document = tree(dump_dom(page, window))
    section = next(s for s in document.find("section") if s.attrs.get("id") == "charts")
    assert "hidden" not in section.attrs, "the script did not show the charts"
    assert section.attrs.get("data-drawn") == str(len(cases)), section.attrs

    workers = Counter(case.get("worker", "") for case in cases)
    lanes = section.find("g", "lane")
    # A lane's workers: one each, unless there are so many that those one after the other share.
    held = [lane.attrs["data-worker"].split(" ") for lane in lanes]
    assert sorted(w for names in held for w in names) == sorted(workers), (held, workers)
    for lane, names in zip(lanes, held):
        assert int(lane.attrs["data-cases"]) == sum(workers[w] for w in names), (lane.attrs, workers)
    for lane in lanes:
        paths = lane.find("path", "bars")
        drawn = Counter({p.attrs["data-outcome"]: bars(p) for p in paths})
        assert all(bars(p) == int(p.attrs["data-cases"]) for p in paths), [p.attrs for p in paths]
        mine = [c for c in cases if c.get("worker", "") in lane.attrs["data-worker"].split(" ")]
        assert drawn == Counter(c["outcome"] for c in mine), (drawn, lane.attrs)
        assert all("seg-" + p.attrs["data-outcome"] in p.classes for p in paths)
    assert sum(bars(p) for p in section.find("path", "bars")) == len(cases)

    buckets = section.find("g", "bucket")
    assert len(buckets) == len(EDGES) + 1, [b.attrs for b in buckets]
    expected = Counter(sum(case["us"] >= edge for edge in EDGES) for case in cases)
    counts = [int(b.attrs["data-cases"]) for b in buckets]
    assert counts == [expected[k] for k in range(len(buckets))], (counts, expected)
    assert sum(counts) == len(cases)
    for bucket in buckets:
        stacked = [int(r.attrs["data-cases"]) for r in bucket.find("rect") if "data-cases" in r.attrs]
        assert sum(stacked) == int(bucket.attrs["data-cases"]), bucket.attrs
    return section


@test("in Chromium: the timeline draws a bar per case on one lane per worker (two under -n 2, one "
      "serially), the histogram holds every case once; nothing on the console")
def charts_in_the_browser() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "--report-dir", "serial", cwd=root))
    ran_ok(run("-m", "test.run_all", "-n", "2", "--report-dir", "parallel", cwd=root))
    serial = check_charts(root / "serial" / "report.html", (1280, 900))
    assert [lane.attrs["data-worker"] for lane in serial.find("g", "lane")] == [""]
    assert not serial.find("g", "lane")[0].find("text"), "a lone lane of no worker has no label"
    parallel = check_charts(root / "parallel" / "report.html", (1280, 900))
    lanes = parallel.find("g", "lane")
    assert [lane.attrs["data-worker"] for lane in lanes] == ["w0", "w1"], [l.attrs for l in lanes]
    assert [lane.find("text")[0].text for lane in lanes] == ["w0", "w1"], "each lane says its worker"
    # The cases that sleep 0.12 s are in the bucket from 100 ms up, or one after it.
    slow = [c for c in cases_of(root / "parallel" / "report.html") if c["id"].endswith("sleeps[2]")]
    assert len(slow) == len(MODULES) and all(c["us"] >= 120_000 for c in slow), slow


@test("with JavaScript off the charts stay hidden and the plain table is there as before")
def hidden_without_javascript() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "-n", "2", "--report-dir", "reports", cwd=root))
    _, text = read_html(root / "reports" / "report.html")
    document = tree(text)
    section = next(s for s in document.find("section") if s.attrs.get("id") == "charts")
    assert "hidden" in section.attrs and not section.find("svg"), section.attrs
    noscript = document.one("noscript")
    assert len(noscript.find("tr")) == CASES + 1, "every case in the plain table, and its head"


# A script run after the page's own: it measures the page, points at a bucket of the histogram
# and at the first bar of the timeline, clicks the bar, and posts what it saw to the page
# that frames it.
PROBE = """
(function () {
  var root = document.documentElement, out = {};
  function keep() { parent.postMessage(JSON.stringify(out), "*"); }
  out.width = root.scrollWidth;
  out.viewport = window.innerWidth;
  out.panels = Array.prototype.map.call(document.querySelectorAll(".chart-scroll"), function (box) {
    return [box.scrollWidth, box.clientWidth, box.getBoundingClientRect().right];
  });
  var tip = document.getElementById("chart-tip");
  var bucket = document.querySelector("#histogram .bucket .hit");
  bucket.dispatchEvent(new PointerEvent("pointermove", { pointerType: "mouse", bubbles: true }));
  out.bucketTip = tip.hidden ? null : tip.textContent;
  var path = document.querySelector("#timeline path.bars");
  var m = /^M([0-9.]+) ([0-9.]+)h([0-9.]+)/.exec(path.getAttribute("d"));
  var box = path.ownerSVGElement.getBoundingClientRect();
  var at = { clientX: box.left + +m[1] + +m[3] / 2, clientY: box.top + +m[2] + 4, bubbles: true };
  path.dispatchEvent(new PointerEvent("pointermove", Object.assign({ pointerType: "mouse" }, at)));
  out.tip = tip.hidden ? null : tip.textContent;
  window.addEventListener("hashchange", function () { // after the page's own listeners
    out.hash = decodeURIComponent(location.hash);
    out.open = Array.prototype.map.call(document.querySelectorAll(".case.open"), function (c) {
      return c.caseData.id;
    });
    keep();
  });
  path.dispatchEvent(new MouseEvent("click", at));
  keep();
})();
"""


# The probed page in a frame the width of a phone's screen (a headless window is never narrower
# than 500 px), the probe's findings kept in an attribute of this page.
FRAME = """<!DOCTYPE html>
<html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe src="probed.html" style="border:0;width:WIDTHpx;height:HEIGHTpx"></iframe>
<script>
window.addEventListener("message", function (event) {
  document.documentElement.setAttribute("data-probe", event.data);
});
</script>
</body></html>
"""


def probed(page: Path, window: tuple[int, int], script: str) -> Path:
    """A page that opens a copy of the report running `script` after its own in a frame of
    `window`'s size: the script's hash joins the copy's Content-Security-Policy, nothing else
    of the report changes."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    text = page.read_text(encoding="utf-8")
    assert text.count("script-src ") == 1 and text.count("</body>") == 1
    text = text.replace("script-src ", f"script-src 'sha256-{digest}' ", 1)
    text = text.replace("</body>", f"<script>{script}</script>\n</body>", 1)
    page.with_name("probed.html").write_text(text, encoding="utf-8")
    frame = page.with_name("frame.html")
    frame.write_text(
        FRAME.replace("WIDTH", str(window[0])).replace("HEIGHT", str(window[1])), encoding="utf-8"
    )
    return frame


def probe(page: Path, window: tuple[int, int], script: str = PROBE) -> dict[str, Any]:
    """What `script`, run in the report after its own script, posted last."""
    document = tree(dump_dom(probed(page, window, script), (1400, 1000), settle=5000))
    seen: dict[str, Any] = json.loads(document.one("html").attrs["data-probe"])
    return seen


@test("at phone width the page is no wider than the screen, the charts fit their panels; hovering "
      "a bar names its case, outcome and duration, and a click opens that case in the list")
def phone_width_and_pointing() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "-n", "2", "--report-dir", "reports", cwd=root))
    page = root / "reports" / "report.html"
    cases = {case["id"]: case for case in cases_of(page)}
    for window in ((390, 844), (360, 740), (1280, 900)):
        seen = probe(page, window)
        assert seen["width"] <= seen["viewport"] == window[0], (window, seen)
        for scroll_width, client_width, right in seen["panels"]:
            assert scroll_width <= client_width and right <= window[0], (window, seen)
        named = [ident for ident in cases if ident in (seen["tip"] or "")]
        assert len(named) == 1, (window, seen)
        case = cases[named[0]]
        assert case["outcome"] in seen["tip"] and case["worker"] in seen["tip"], seen
        assert "case" in (seen["bucketTip"] or ""), seen
        assert seen.get("hash") == "#open=" + case["id"], (window, seen)
        assert seen.get("open") == [case["id"]], (window, seen)


# Clicks the histogram's first bucket that holds cases, then (once the list shows it) the same
# bucket again; posts what the list showed each time.
PICK = """
(function () {
  var out = { shown: [] };
  var status = document.getElementById("status");
  var hit = Array.prototype.filter.call(document.querySelectorAll("#histogram .bucket"), function (g) {
    return +g.getAttribute("data-cases") > 0;
  })[0].querySelector(".hit");
  window.addEventListener("hashchange", function () {
    out.shown.push({
      hash: decodeURIComponent(location.hash),
      status: status.textContent,
      us: Array.prototype.map.call(document.querySelectorAll("#list .case"), function (c) {
        return c.caseData.us;
      }),
      picked: document.querySelectorAll("#histogram .bucket.picked").length,
      more: !document.getElementById("more").hidden
    });
    parent.postMessage(JSON.stringify(out), "*");
    if (out.shown.length === 1) hit.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  });
  hit.dispatchEvent(new MouseEvent("click", { bubbles: true }));
})();
"""


@test("a click on a bucket of the histogram lists only the cases of its durations; a second click "
      "lists every case again")
def bucket_filters_the_list() -> None:
    root = sample()
    ran_ok(run("-m", "test.run_all", "--report-dir", "reports", cwd=root))
    page = root / "reports" / "report.html"
    durations = [case["us"] for case in cases_of(page)]
    first = min(sum(us >= edge for edge in EDGES) for us in durations)  # the first bucket used
    low = EDGES[first - 1] if first else 0
    high = EDGES[first] if first < len(EDGES) else None
    inside = [us for us in durations if us >= low and (high is None or us < high)]
    assert 0 < len(inside) < len(durations), durations
    filtered, cleared = probe(page, (390, 844), PICK)["shown"]
    assert filtered["hash"] == f"#us={low}-{high or ''}", filtered
    assert sorted(filtered["us"]) == sorted(inside), (filtered, inside)
    assert filtered["status"].startswith(f"{len(inside)} of {len(durations)} cases"), filtered
    assert filtered["picked"] == 1, "the bucket filtered by is marked"
    assert cleared["hash"] == "" and cleared["picked"] == 0, cleared
    assert len(cleared["us"]) == len(durations) and not cleared["more"], cleared
    assert cleared["status"] == f"{len(durations)} cases", cleared


ONE_CASE = "from thinking_tests import test\n\n\n@test\ndef one():\n    pass\n"


@test("--isolate with ten modules: ten children one after the other share one lane, named by "
      "the first and the last")
def isolated_children_share_a_lane() -> None:
    files = package("test")
    for number in range(10):
        files[f"test/test_m{number}.py"] = ONE_CASE
    root = project(files)
    ran = run("-m", "test.run_all", "--isolate", "--report-dir", "reports", cwd=root)
    assert ran.code == 0 and ran.counts == (10, 0, 0), ran
    page = root / "reports" / "report.html"
    children = sorted({case["worker"] for case in cases_of(page)}, key=lambda w: int(w[1:]))
    assert len(children) == 10, children
    section = check_charts(page, (1280, 900))
    lanes = section.find("g", "lane")
    assert len(lanes) == 1, [lane.attrs for lane in lanes]
    assert lanes[0].find("text")[0].text == f"{children[0]}–{children[-1]}", lanes[0].find("text")[0].text


@test("5,000 cases under -n 2: a bar each, a lane per worker, every case in the histogram")
def five_thousand_cases() -> None:
    body = "".join(f"@test\ndef case_{n:03d}():\n    pass\n\n\n" for n in range(500))
    files = package("test")
    for number in range(10):
        files[f"test/test_m{number}.py"] = "from thinking_tests import test\n\n\n" + body
    root = project(files)
    ran = run("-m", "test.run_all", "-n", "2", "-q", "--report-dir", "reports", cwd=root, timeout=300)
    assert ran.code == 0 and ran.counts == (5000, 0, 0), ran
    section = check_charts(root / "reports" / "report.html", (1280, 900))
    assert len(section.find("g", "lane")) == 2
    assert len(section.find("path")) == 2, "one path per outcome per lane, not a node per case"
    shutil.rmtree(root / "reports")


if __name__ == "__main__":
    run_current_module()
