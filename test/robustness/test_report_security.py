"""Reports treat test-supplied text as text: nothing a test prints, names or raises runs or
breaks out of an attribute in the HTML report, which loads nothing from outside and carries a
Content-Security-Policy. Report files follow the user's umask, and relative report paths from
configuration cannot climb out with `..`."""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

from test.robustness._helpers import (
    Page,
    inert,
    junit,
    kind,
    one_sentence,
    problem,
    project,
    run,
    schema_errors,
)
from thinking_tests import fixture, run_current_module, test

SCRIPT = '"><script>alert(1)</script>'
ATTRIBUTE = "' onmouseover='alert(2)"
IMG = "<img src=x onerror=alert(3)>"
HOSTILE = [
    SCRIPT,
    ATTRIBUTE,
    IMG,
    '" onfocus="alert(4)" autofocus="',
    "</noscript><script>alert(5)</script>",
    "]]><!-- </textarea></title></style>",
    '<a href="https://evil.example/a">link</a>',
    "<link rel=stylesheet href=//evil.example/s.css>",
    "<iframe src=https://evil.example/f></iframe>",
    "<svg onload=alert(6)>",
]

CASES = f'''
import logging
import sys

from thinking_tests import test

SCRIPT, ATTRIBUTE, IMG = {SCRIPT!r}, {ATTRIBUTE!r}, {IMG!r}
HOSTILE = {HOSTILE!r}


@test(params=HOSTILE, ids=HOSTILE)
def param_case(text):
    print("OUT " + text)
    sys.stderr.write("ERR " + text + "\\n")
    logging.getLogger("hostile").warning("LOG %s", text)
    assert False, text


@test(SCRIPT + ATTRIBUTE + IMG, tags=[SCRIPT, ATTRIBUTE, IMG])
def described():
    raise ValueError(IMG + ATTRIBUTE)


@test(skip=ATTRIBUTE + SCRIPT)
def skipped():
    pass


@test(xfail=IMG)
def expected_failure():
    assert False, SCRIPT


@test
def passes():
    print(SCRIPT)
'''


class Hostile:
    def __init__(self) -> None:
        self.root = project({"test/test_hostile_text.py": CASES})
        # Run as a user whose umask keeps group-write and everything for others off.
        self.ran = run("-m", "test.run_all", cwd=self.root, preexec_fn=lambda: os.umask(0o027))
        self.reports = self.root / "reports"
        self.text = (self.reports / "report.html").read_text(encoding="utf-8")
        self.page = inert(self.text)


@fixture(scope="module")
def hostile() -> Hostile:
    return Hostile()


def data(page: Page) -> dict[str, Any]:
    block = [text for attrs, text in page.scripts if attrs.get("type") == "application/json"]
    assert len(block) == 1, len(block)
    loaded: dict[str, Any] = json.loads(block[0])
    return loaded


@test("the run of hostile text completes, every case counted")
def run_completes(hostile: Hostile) -> None:
    assert hostile.ran.code == 1, hostile.ran
    # passes; every param_case and described fail; skipped and the xfail are skipped
    assert hostile.ran.counts == (1, len(HOSTILE) + 1, 2), hostile.ran


@test("no hostile text becomes markup: no event handler, no script but the page's own")
def html_inert(hostile: Hostile) -> None:
    # inert() checked the handlers, the scripts and the nesting; no other element got in.
    tags = [tag for tag, _ in hostile.page.tags]
    for element in ("img", "iframe", "textarea", "a"):  # a: only coverage links, off here
        assert element not in tags, element
    assert tags.count("svg") == 1, tags.count("svg")  # the page's own chart
    assert tags.count("link") == 1, tags.count("link")  # the page's own icon


@test("every hostile text is still there, as text: in the page's data and its plain table")
def html_keeps_text(hostile: Hostile) -> None:
    cases = {case["id"]: case for case in data(hostile.page)["cases"]}
    for text in HOSTILE:
        case = cases[f"test.test_hostile_text::param_case[{text}]"]
        assert case["stdout"] == f"OUT {text}\n", case["stdout"]
        assert text in case["message"], case["message"]
    described = cases["test.test_hostile_text::described"]
    assert described["description"] == SCRIPT + ATTRIBUTE + IMG
    assert described["tags"] == [SCRIPT, ATTRIBUTE, IMG]
    shown = "".join(hostile.page.text)
    for text in (SCRIPT, ATTRIBUTE, IMG):
        assert text in shown, text  # the plain table shows ids and messages as text
    # The tag filter lists the hostile tags as option values, quoted.
    options = [attrs.get("value") for tag, attrs in hostile.page.tags if tag == "option"]
    assert {SCRIPT, ATTRIBUTE, IMG} <= set(options), options


@test("the page loads nothing from outside")
def nothing_external(hostile: Hostile) -> None:
    for tag, attrs in hostile.page.tags:
        for name in ("src", "href", "action", "formaction", "data", "poster", "srcset", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            if value:
                assert value.startswith(("data:", "#")), f"<{tag} {name}={value!r}>"
    # The same on the raw text, tag by tag (the data block's JSON holds such text, as data).
    markup = re.sub(r"<script\b.*?</script>", "", hostile.text, flags=re.DOTALL | re.IGNORECASE)
    for tag in re.findall(r"<[a-zA-Z][^>]*>", markup):
        assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:)?//", tag, re.IGNORECASE), tag


@test("a Content-Security-Policy comes first: nothing but the page's own script and style")
def content_security_policy(hostile: Hostile) -> None:
    tags = hostile.page.tags
    metas = [
        (index, attrs.get("content") or "")
        for index, (tag, attrs) in enumerate(tags)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy"
    ]
    assert len(metas) == 1, metas
    index, policy = metas[0]
    first_active = min(i for i, (tag, _) in enumerate(tags) if tag in ("script", "style", "link"))
    assert index < first_active, (index, first_active)
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
    }
    assert directives["default-src"] == ["'none'"], policy
    assert all(source.startswith("'sha256-") for source in directives["script-src"]), policy
    assert all(source.startswith("'sha256-") for source in directives["style-src"]), policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, policy


@test("the JUnit XML keeps hostile text verbatim and stays valid")
def junit_keeps_text(hostile: Hostile) -> None:
    errors = schema_errors(hostile.reports / "junit.xml")
    assert not errors, errors
    cases = junit(hostile.reports / "junit.xml")
    for text in HOSTILE:
        case = cases[f"test.test_hostile_text::param_case[{text}]"]
        assert kind(case) == "failure"
        assert text in (problem(case).get("message") or "")
        assert case.findtext("system-out") == f"OUT {text}\n"
    skipped = cases["test.test_hostile_text::skipped"].find("skipped")
    assert skipped is not None and skipped.get("message") == ATTRIBUTE + SCRIPT


@test("report files and their folder follow the user's umask (027: rw-r-----, rwxr-x---)")
def umask_followed(hostile: Hostile) -> None:
    for name in ("junit.xml", "report.html", "journal.jsonl"):
        mode = stat.S_IMODE((hostile.reports / name).stat().st_mode)
        assert mode == 0o640, f"{name}: {oct(mode)}"
    assert stat.S_IMODE(hostile.reports.stat().st_mode) == 0o750
    leftovers = [p.name for p in hostile.reports.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, leftovers


@test("another umask, another mode: 077 gives rw-------")
def umask_077() -> None:
    root = project({"test/test_a.py": "from thinking_tests import test\n\n\n@test\ndef a():\n    pass\n"})
    ran = run("-m", "test.run_all", cwd=root, preexec_fn=lambda: os.umask(0o077))
    assert ran.code == 0, ran
    for name in ("junit.xml", "report.html", "journal.jsonl"):
        mode = stat.S_IMODE((root / "reports" / name).stat().st_mode)
        assert mode == 0o600, f"{name}: {oct(mode)}"


# --- report paths -----------------------------------------------------------------------------

SIMPLE = {"test/test_a.py": "from thinking_tests import test\n\n\n@test\ndef a():\n    pass\n"}


@test(
    "a relative report path from configuration that climbs out with '..' is refused: exit 4",
    params=[
        ("config.reports.directory = '../escaped'\n", "config.reports.directory"),
        ("config.reports.junit_xml = 'sub/../../junit.xml'\n", "config.reports.junit_xml"),
        ("config.reports.html = '../../report.html'\n", "config.reports.html"),
        ("config.reports.journal = '../journal.jsonl'\n", "config.reports.journal"),
        ("config.coverage.xml = '../coverage.xml'\n", "config.coverage.xml"),
    ],
    ids=["directory", "junit_xml", "html", "journal", "coverage xml"],
)
def climbing_refused(text: str, setting: str) -> None:
    root = project(SIMPLE, config=text)
    before = sorted(p.name for p in root.parent.iterdir())
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert setting in sentence and "'..'" in sentence, sentence
    assert not (root / "reports").exists(), "a refused run wrote reports"
    created = {p.name for p in root.parent.iterdir()} - set(before)
    assert not {"escaped", "junit.xml", "report.html", "journal.jsonl", "coverage.xml"} & created


@test("'..' in [tool.thinking-tests] of pyproject.toml is refused the same way")
def climbing_in_pyproject() -> None:
    root = project(
        {**SIMPLE, "pyproject.toml": '[tool.thinking-tests.reports]\ndirectory = "../escaped"\n'},
        config="",
    )
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "config.reports.directory" in sentence and "pyproject.toml" in sentence, sentence


@test("absolute report paths are allowed, and so is a '..' that stays inside")
def absolute_allowed() -> None:
    elsewhere = project({}, config=None, packaged=False) / "elsewhere"
    root = project(SIMPLE, config=f"""
        config.reports.directory = 'sub/../inside'
        config.reports.junit_xml = {str(elsewhere / 'junit.xml')!r}
        config.reports.html = {str(elsewhere / 'html' / 'report.html')!r}
    """)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    assert (elsewhere / "junit.xml").is_file() and (elsewhere / "html" / "report.html").is_file()
    assert (root / "inside" / "journal.jsonl").is_file(), sorted(os.listdir(root))
    assert not (root / "reports").exists(), sorted(os.listdir(root))


if __name__ == "__main__":
    run_current_module()
