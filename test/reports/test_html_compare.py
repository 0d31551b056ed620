"""The HTML report's "Changes since the last run": the section lists exactly what changed,
each case that has a row linked to it; it reads without JavaScript, and in headless Chromium
at desktop and phone width the page writes nothing to the console and a link opens its case.
A first run's page has no such section. Real runs (see _compare_helpers)."""

from __future__ import annotations

import re
import urllib.parse

from test.reports._compare_helpers import CHANGED, MODULE, two_runs
from test.reports._e2e_helpers import Element, dump_dom, read_html, tree
from thinking_tests import run_current_module, test

KINDS = ["new-failure", "fixed", "new", "removed", "slower"]


def listed(section: Element) -> dict[str, list[str]]:
    """Each group of the section (by its kind) and the ids it lists."""
    groups: dict[str, list[str]] = {}
    for group in section.find("details", "change"):
        kind = next(c for c in group.classes if c.startswith("k-"))[2:]
        groups[kind] = [item.one(cls="id").text for item in group.find("li") if "more" not in item.classes]
    return groups


def check_section(section: Element) -> None:
    assert section.one("h2").text == "Changes since the last run"
    assert "1 new failure, 1 fixed, 1 new case, 1 removed, 1 slower" in section.one("p", "against").text
    groups = listed(section)
    assert list(groups) == KINDS and groups == CHANGED, groups
    for item in section.find("li"):
        ident = item.one(cls="id")
        if "o-removed" in item.classes:  # no row to link to
            assert ident.tag == "span", item
        else:
            assert ident.tag == "a" and ident.attrs["href"] == "#" + urllib.parse.urlencode({"open": ident.text})
    slower = section.one("details", "k-slower").one("span", "what").text
    assert re.fullmatch(r"3\d\d ms, was \d+ (µs|ms) \(×[\d,.]+\)", slower), slower


@test("the second run's page lists exactly the changes, readable without JavaScript")
def section_without_javascript() -> None:
    runs = two_runs()
    _, page = read_html(runs.reports / "report.html")
    document = tree(page)
    check_section(document.one("section", "compare"))
    # The plain table for readers without JavaScript is still there, after the section.
    assert document.one("noscript") is not None and "Changes since the last run" in page.split("<noscript>")[0]
    assert not tree(runs.first_report).find(cls="compare"), "a first run's page has none"


@test("in Chromium at desktop and phone width the section is there, nothing reaches the console, a link opens its case")
def section_in_chromium() -> None:
    runs = two_runs()
    path = runs.reports / "report.html"
    for width in (1280, 360):
        document = tree(dump_dom(path, window=(width, 900)))
        assert document.one("html").attrs.get("data-ready") == "5", "the list rendered"
        check_section(document.one("section", "compare"))
        marks = {
            row.one("span", "mod").text + row.one("b").text: [m.text for m in row.find("span", "changed")]
            for row in document.one(cls="list").find("div", "case")
        }
        assert marks == {
            f"{MODULE}::breaks": ["new failure"], f"{MODULE}::gets_fixed": ["fixed"],
            f"{MODULE}::arrives": ["new case"], f"{MODULE}::slows_down": ["slower"],
            f"{MODULE}::stays_green": [],
        }, marks
        # A change's link is the report's own link to a case: opened, its row shows it open.
        opened = tree(dump_dom(path, window=(width, 900), open=f"{MODULE}::breaks"))
        rows = [row for row in opened.one(cls="list").find("div", "case") if "open" in row.classes]
        assert len(rows) == 1 and f"{MODULE}::" in rows[0].text and "breaks" in rows[0].text, rows
    first = runs.root / "first.html"
    first.write_text(runs.first_report, encoding="utf-8")
    assert not tree(dump_dom(first, window=(360, 900))).find(cls="compare")


if __name__ == "__main__":
    run_current_module()
