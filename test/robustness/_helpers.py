"""Helpers of the robustness tests: throwaway projects, real runs, and readers of what they left."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import TypeVar

from test.support import JENKINS_XSD, REPO, Ran, env, one_sentence, package
from test.support import project as _project

# `python -m ...` runs of a project; a hang fails the case instead of stalling the suite.
TIMEOUT = 120.0

T = TypeVar("T")
def project(files: dict[str, str], config: str | None = "", packaged: bool = True) -> Path:
    """A temporary project with a `test` package (unless not `packaged`), removed at exit.

    Coverage is off (test.support.project's __test__.py); `config` is appended to it.
    """
    return _project({**(package("test") if packaged else {}), **files}, config=config)


def run(
    *args: str,
    cwd: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = TIMEOUT,
    preexec_fn: Callable[[], object] | None = None,
) -> Ran:
    """`python ARGS...` in `cwd` with this checkout on the path, and more variables if given."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**env(), **(extra_env or {})},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        preexec_fn=preexec_fn,
        check=False,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def concurrently(*calls: Callable[[], T]) -> list[T]:
    """The results of several calls (runs of projects, mostly waiting) made at the same time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def run_measured(*args: str, cwd: Path, timeout: float = TIMEOUT) -> tuple[Ran, int]:
    """Like `run`, and the child's peak resident memory in bytes (ru_maxrss from wait4)."""
    process = subprocess.Popen(
        [sys.executable, *args], cwd=cwd, env=env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    chunks: dict[str, bytes] = {}

    def drain(name: str, stream: object) -> None:
        chunks[name] = stream.read()  # type: ignore[attr-defined]

    readers = [
        threading.Thread(target=drain, args=(name, stream), daemon=True)
        for name, stream in (("out", process.stdout), ("err", process.stderr))
    ]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout, process.kill)  # a hang ends as a kill, and fails below
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait for it again
    for reader in readers:
        reader.join(timeout)
    out, err = (chunks.get(name, b"").decode("utf-8", "replace") for name in ("out", "err"))
    # Linux gives ru_maxrss in kilobytes, macOS in bytes.
    peak = usage.ru_maxrss if sys.platform == "darwin" else usage.ru_maxrss * 1024
    return Ran(process.returncode, out, err), peak


# --- JUnit XML --------------------------------------------------------------------------------


def junit(path: Path) -> dict[str, ET.Element]:
    """`classname::name` -> testcase element of a JUnit XML file (which must be well-formed)."""
    return {
        f"{case.get('classname')}::{case.get('name')}": case
        for case in ET.parse(path).getroot().iter("testcase")
    }


def kind(testcase: ET.Element) -> str:
    """What a testcase says happened: failure, error, skipped or passed."""
    for tag in ("failure", "error", "skipped"):
        if testcase.find(tag) is not None:
            return tag
    return "passed"


def problem(testcase: ET.Element) -> ET.Element:
    """The failure or error element of a testcase."""
    found = [child for child in testcase if child.tag in ("failure", "error")]
    assert len(found) == 1, ET.tostring(testcase, encoding="unicode")[:2000]
    return found[0]


_SCHEMA: list[object] = []


def schema_errors(path: Path) -> list[str] | None:
    """The Jenkins JUnit schema's complaints about a file; None when the schema is missing."""
    if not JENKINS_XSD.is_file():
        return None
    if not _SCHEMA:
        import xmlschema

        _SCHEMA.append(xmlschema.XMLSchema(str(JENKINS_XSD)))
    schema = _SCHEMA[0]
    return [str(error)[:500] for error in schema.iter_errors(str(path))]  # type: ignore[attr-defined]


# --- HTML -------------------------------------------------------------------------------------

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
     "track", "wbr"}
)


class Page(HTMLParser):
    """Every start tag with its attributes, and whether the elements nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []  # text outside scripts, entities decoded
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = []
            self.scripts.append((dict(attrs), ""))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:
                del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]
            return
        self.stack.pop()
        if tag == "script" and self._script is not None:
            attrs, _ = self.scripts[-1]
            self.scripts[-1] = (attrs, "".join(self._script))
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        elif not self.stack or self.stack[-1] != "style":
            self.text.append(data)


def parse_html(text: str) -> Page:
    page = Page()
    page.feed(text)
    page.close()
    return page


def template_scripts() -> int:
    """How many <script> elements the report's template has of its own."""
    from thinking_tests.reports.html import TEMPLATE, template_dir

    return (template_dir() / TEMPLATE).read_text(encoding="utf-8").count("<script")


def inert(text: str) -> Page:
    """Check a report page: well-formed, no event handler attribute, only its own scripts."""
    page = parse_html(text)
    assert not page.problems, page.problems[:5]
    assert page.stack == [], f"left open: {page.stack}"
    handlers = [
        (tag, name) for tag, attrs in page.tags for name in attrs if name.lower().startswith("on")
    ]
    assert not handlers, handlers[:5]
    assert len(page.scripts) == template_scripts(), [attrs for attrs, _ in page.scripts]
    return page


__all__ = [
    "JENKINS_XSD",
    "REPO",
    "TIMEOUT",
    "Page",
    "Ran",
    "concurrently",
    "inert",
    "junit",
    "kind",
    "one_sentence",
    "parse_html",
    "problem",
    "project",
    "run",
    "run_measured",
    "schema_errors",
    "template_scripts",
]
