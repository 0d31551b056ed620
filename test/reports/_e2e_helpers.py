"""Helpers of the end-to-end report tests: temporary projects that clean up after themselves,
the Jenkins JUnit schema, a strict reader of the HTML report, and readers of coverage data.

Every test using these runs the real thing: `python -m ...` in a subprocess on a project on
disk, then parses what it wrote with independent parsers.
"""

from __future__ import annotations

import atexit
import functools
import json
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from test.support import JENKINS_XSD, REPO, Ran, chromium, env
from test.support import project as _project

TEMPLATE = REPO / "templates" / "report.html"
MIB = 1024 * 1024

# "[truncated N chars]" as both reports (and the capture) mark a cut.
TRUNCATED = re.compile(r"\n?\[truncated (\d+) chars\]\n?")
SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) skipped")

_MADE: list[Path] = []


def project(files: dict[str, str], config: str | None = "") -> Path:
    """test.support.project, removed again when this process ends."""
    root = _project(files, config=config)
    _MADE.append(root)
    return root


def temporary(prefix: str) -> Path:
    """An empty directory, removed again when this process ends."""
    directory = Path(tempfile.mkdtemp(prefix=prefix))
    _MADE.append(directory)
    return directory


@atexit.register
def _remove() -> None:
    for root in _MADE:
        for path in root.rglob("*"):  # a test may have left a read-only folder behind
            if path.is_dir():
                path.chmod(0o755)
        shutil.rmtree(root, ignore_errors=True)


# --- JUnit XML -------------------------------------------------------------------------


@functools.cache
def jenkins_schema() -> object:
    """The Jenkins JUnit schema (xmlschema), or a skip naming where it was looked for."""
    if not JENKINS_XSD.is_file():
        raise unittest.SkipTest(f"no Jenkins JUnit schema at {JENKINS_XSD}")
    import xmlschema

    return xmlschema.XMLSchema(str(JENKINS_XSD))


def assert_schema_valid(path: Path) -> None:
    schema = jenkins_schema()
    errors = list(schema.iter_errors(str(path)))  # type: ignore[attr-defined]
    assert not errors, f"{path} is not valid against {JENKINS_XSD.name}: {errors[0]}"


def testcases(path: Path) -> dict[str, ET.Element]:
    """`classname::name` -> its <testcase>, parsed with the standard library."""
    found: dict[str, ET.Element] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        assert key not in found, f"two testcases {key!r} in {path}"
        found[key] = case
    return found


testcases.__test__ = False  # type: ignore[attr-defined]  # a helper, not a pytest test


# --- HTML ------------------------------------------------------------------------------

VOID = frozenset(
    ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
     "source", "track", "wbr")
)


class StrictHtml(HTMLParser):
    """Reads the HTML report and notes every way it is not well-formed.

    Every element but the void ones must be closed, in order; the report's template closes
    everything (no optional end tags), so any mismatch is text that escaped as markup.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.problems: list[str] = []
        self.starts: Counter[str] = Counter()
        self.links: list[str] = []
        self.texts: list[str] = []
        self.scripts: dict[str, str] = {}  # id of a <script> -> its text
        self._script_id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts[tag] += 1
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if tag == "script":
            self._script_id = attributes.get("id") or f"script-{self.starts['script']}"
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts[tag] += 1  # <x/>: opened and closed at once

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.problems.append(f"end tag of the void element {tag} at {self.getpos()}")
            return
        if not self.stack or self.stack[-1][0] != tag:
            open_tag = self.stack[-1] if self.stack else None
            self.problems.append(f"</{tag}> at {self.getpos()} closes {open_tag}")
            return
        self.stack.pop()
        if tag == "script":
            self._script_id = None

    def handle_data(self, data: str) -> None:
        if self._script_id is not None:
            self.scripts[self._script_id] = self.scripts.get(self._script_id, "") + data
        else:
            self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


def read_html(path: Path) -> tuple[StrictHtml, str]:
    """The report parsed (asserting it is well-formed UTF-8 HTML), and its text."""
    page = path.read_bytes().decode("utf-8")  # strict: a lone surrogate would fail here
    parser = StrictHtml()
    parser.feed(page)
    parser.close()
    assert not parser.problems, f"{path} is not well-formed: {parser.problems[:5]}"
    assert not parser.stack, f"{path} leaves elements open: {parser.stack[:5]}"
    assert page.lstrip().lower().startswith("<!doctype html>")
    return parser, page


def report_data(parser: StrictHtml) -> dict[str, Any]:
    """The JSON of every case that the page's script renders from."""
    assert "report-data" in parser.scripts, f"no report-data script: {list(parser.scripts)}"
    data: dict[str, Any] = json.loads(parser.scripts["report-data"])
    return data


def template_scripts() -> int:
    """How many <script> elements the report's template writes itself."""
    return TEMPLATE.read_text(encoding="utf-8").lower().count("<script")


# --- coverage --------------------------------------------------------------------------


def coverage_xml(path: Path) -> tuple[ET.Element, dict[Path, dict[int, ET.Element]]]:
    """The root of a coverage.xml and, per measured file (absolute), line number -> <line>."""
    root = ET.parse(path).getroot()
    sources = [Path(s.text or "") for s in root.iter("source")]
    files: dict[Path, dict[int, ET.Element]] = {}
    for cls in root.iter("class"):
        filename = cls.get("filename", "")
        candidates = [source / filename for source in sources] or [Path(filename)]
        located = next((c for c in candidates if c.is_file()), candidates[0])
        lines = {int(line.get("number", "0")): line for line in cls.iter("line")}
        files[located.resolve()] = lines
    return root, files


def missed(lines: dict[int, ET.Element]) -> list[int]:
    return sorted(number for number, line in lines.items() if line.get("hits") == "0")


def coverage_json(data_file: Path, cwd: Path) -> dict[Path, dict[str, Any]]:
    """What `python -m coverage json` says of a data file, per measured file (absolute)."""
    out = cwd / "coverage-from-cli.json"
    done = subprocess.run(
        [sys.executable, "-m", "coverage", "json", f"--data-file={data_file}", "-o", str(out), "-q"],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"coverage json failed:\n{done.stdout}\n{done.stderr}"
    files: dict[str, dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["files"]
    out.unlink()
    return {(cwd / name).resolve(): info for name, info in files.items()}


# --- the terminal ----------------------------------------------------------------------


def one_sentence(ran: Ran) -> str:
    """The only line a refused run printed: one `thinking-tests: ...` sentence."""
    lines = [line for line in ran.output.splitlines() if line.strip()]
    assert len(lines) == 1, f"expected one sentence, got {len(lines)} lines: {ran!r}"
    assert lines[0].startswith("thinking-tests: "), ran
    assert "Traceback" not in ran.output, ran
    return lines[0]


def summary_text(ran: Ran) -> str:
    """`N passed, N failed, N skipped` of the last line, without a leading word."""
    match = SUMMARY.search(ran.last_line)
    assert match, ran
    return match[0]


# A small tree of a page, to find elements by tag and class.

VOID = frozenset(
    (
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    )
)


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    @property
    def text(self) -> str:
        return "".join(child if isinstance(child, str) else child.text for child in self.children)

    def find(self, tag: str | None = None, cls: str | None = None) -> list[Element]:
        """Every element below this one with that tag and class, in document order."""
        found: list[Element] = []
        for child in self.children:
            if isinstance(child, Element):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.find(tag, cls))
        return found

    def one(self, tag: str | None = None, cls: str | None = None) -> Element:
        found = self.find(tag, cls)
        assert len(found) == 1, f"expected one <{tag or '*'} class={cls}>, found {len(found)}"
        return found[0]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def tree(text: str) -> Element:
    parser = _Tree()
    parser.feed(text)
    parser.close()
    return parser.root


def dump_dom(
    path: Path, window: tuple[int, int] | None = None, settle: int = 0, **state: str | list[str]
) -> str:
    """The page's DOM after its script ran in headless Chromium, opened with the view state
    `state` in the hash (at `window` width and height, else Chromium's own); with `settle`,
    after what the page queued meanwhile (events, timers, messages) ran too, within that many
    milliseconds of the browser's virtual time. Nothing may reach the browser's console: an
    uncaught error, or an inline script or style the Content-Security-Policy refused, is a
    defect of the report."""
    pairs = [
        (k, v)
        for k, values in state.items()
        for v in (values if isinstance(values, list) else [values])
    ]
    url = path.as_uri() + ("#" + urllib.parse.urlencode(pairs) if pairs else "")
    size = [f"--window-size={window[0]},{window[1]}"] if window else []
    if settle:
        size.append(f"--virtual-time-budget={settle}")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--enable-logging=stderr",
                "--v=0",
                *size,
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if ":CONSOLE" in line]
    assert not console, "the report wrote to the browser console:\n" + "\n".join(console)
    return done.stdout
