"""The HTML report is what jinja2 renders from `templates/`: a real run's page, byte for byte,
against a plain `jinja2.Environment` given the same view model; jinja2 is a declared
dependency, imported only when the report is written, and a cache folder that cannot be used
never stops the report."""

from __future__ import annotations

import importlib.metadata
import os
import pickle
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from test.reports._e2e_helpers import project, read_html, report_data, temporary
from test.support import REPO, Ran, env, package
from thinking_tests import run_current_module, test
from thinking_tests.reports.html import TEMPLATE, template_dir

CASES = """
from thinking_tests import test


@test
def adds():
    print("<b>printed</b> & 'quoted'")
    assert 1 + 1 == 2


@test(tags=["fast", "<i>odd</i>"])
def compares():
    expected = "</script><script>alert(1)</script>"
    assert "x" == expected


@test(skip="no GPU here")
def trains():
    pass
"""

# Runs test.run_all as `python -m test.run_all` would, keeping every view model the HTML
# report is rendered from (the stand-in's, then the finished run's).
RECORD = """
import pickle, runpy, sys
from thinking_tests.reports.html import view

out = sys.argv[1]
models = []
build = view.page

def page(*args, **kwargs):
    model = build(*args, **kwargs)
    models.append(model)
    return model

view.page = page
sys.argv = ["test/run_all.py", *sys.argv[2:]]
try:
    runpy.run_module("test.run_all", run_name="__main__", alter_sys=True)
finally:
    with open(out, "wb") as handle:
        pickle.dump(models, handle)
"""


def sample() -> Path:
    return project({**package("test"), "test/test_sample.py": CASES, "record.py": RECORD})


def run_with(root: Path, *args: str, **environ: str) -> Ran:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=root,
        env={**env(), **environ},
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


@test("the report a run writes is, byte for byte, what a plain jinja2 Environment renders from templates/")
def renders_what_jinja2_renders() -> None:
    import jinja2

    root = sample()
    reports = root / "reports"
    cache = temporary("tt-jinja-cache-")
    for _ in range(2):  # the first run compiles the template, the second loads it compiled
        ran = run_with(
            root, "record.py", str(root / "models.pickle"), "--report-dir", str(reports),
            XDG_CACHE_HOME=str(cache),
        )
        assert ran.code == 1 and ran.counts == (1, 1, 1), ran
        assert list((cache / "thinking-tests" / "jinja2").glob("*.cache")), "nothing cached"
        models = pickle.loads((root / "models.pickle").read_bytes())
        assert len(models) == 2, "the stand-in's model and the finished run's"
        plain = jinja2.Environment(loader=jinja2.FileSystemLoader(template_dir()), autoescape=True)
        expected = plain.get_template(TEMPLATE).render(models[-1]).encode("utf-8")
        written = (reports / "report.html").read_bytes()
        assert written == expected, "the run's page differs from jinja2's rendering"
    # And it is the run's report: its cases, escaped, with the data every case.
    parser, text = read_html(reports / "report.html")
    assert "&lt;b&gt;printed&lt;/b&gt;" not in text, "output is in the data block only"
    assert "&lt;i&gt;odd&lt;/i&gt; (1)" in text, "the tag filter's option, escaped"
    ids = [case["id"] for case in report_data(parser)["cases"]]
    assert ids == ["test.test_sample::adds", "test.test_sample::compares", "test.test_sample::trains"]


@test("a cache folder that cannot be used, or a corrupt cached template, leaves the report as it is")
def survives_an_unusable_cache() -> None:
    from jinja2.bccache import bc_magic

    root = sample()
    pages: dict[str, bytes] = {}
    blocker = temporary("tt-jinja-blocked-") / "a-file"
    blocker.write_text("XDG_CACHE_HOME names a file, not a folder")
    corrupt = temporary("tt-jinja-corrupt-")
    folder = corrupt / "thinking-tests" / "jinja2"
    folder.mkdir(parents=True)
    for name, cache in (("blocked", blocker), ("fresh", corrupt), ("corrupt", corrupt)):
        if name == "corrupt":
            cached = list(folder.glob("*.cache"))  # the page's template and those it includes
            assert len({path.name.partition("-")[0] for path in cached}) == len(cached), cached
            assert any(path.name.startswith(TEMPLATE) for path in cached), cached
            for path in cached:
                path.write_bytes(bc_magic + b"\x80garbage")  # jinja2's header, then garbage
        reports = root / "reports"  # the same each time: the page names the command
        (reports / "report.html").unlink(missing_ok=True)
        (reports / "journal.jsonl").unlink(missing_ok=True)  # no run to compare with: the same page
        ran = run_with(root, "-m", "test.run_all", "--report-dir", str(reports), XDG_CACHE_HOME=str(cache))
        assert ran.code == 1 and ran.counts == (1, 1, 1), ran
        assert "could not write" not in ran.output and "cache" not in ran.output.lower(), ran
        read_html(reports / "report.html")
        pages[name] = strip_times((reports / "report.html").read_bytes())
    assert pages["blocked"] == pages["fresh"] == pages["corrupt"]
    assert blocker.read_text().startswith("XDG_CACHE_HOME names a file")


@test("copies of the package in several places each keep their compiled template; the folder stays bounded")
def keeps_a_compiled_template_per_copy() -> None:
    import shutil

    root = sample()
    cache = temporary("tt-jinja-copies-")
    folder = cache / "thinking-tests" / "jinja2"
    copies = []
    for name in ("one", "two"):  # the package and its templates, as a second checkout holds them
        copy = temporary(f"tt-jinja-{name}-")
        shutil.copytree(REPO / "thinking_tests", copy / "thinking_tests",
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(template_dir(), copy / "templates")
        copies.append(copy)

    def entries() -> set[str]:  # the page's own template's (those it includes are kept alike)
        return {entry.name for entry in folder.glob(f"{TEMPLATE}-*.cache")}

    seen: list[set[str]] = []
    for copy in (*copies, copies[0]):
        ran = run_with(root, "-m", "test.run_all", "--report-dir", str(root / "reports"),
                       XDG_CACHE_HOME=str(cache), PYTHONPATH=str(copy))
        assert ran.code == 1 and ran.counts == (1, 1, 1), ran
        seen.append(entries())
    assert len(seen[0]) == 1 and len(seen[1]) == 2, seen  # the second copy's beside the first's
    assert seen[2] == seen[1], "the first copy's entry was used again, nothing compiled anew"
    # Entries of copies long gone are removed past the bound, the least recently used first.
    family = next(iter(seen[0]))[: -len("0123456789abcdef.cache")]
    for number in range(10):
        stale = folder / f"{family}{number:016x}.cache"
        stale.write_bytes(b"")
        os.utime(stale, (1_000_000 + number, 1_000_000 + number))
    (folder / sorted(seen[1] - seen[0])[0]).unlink()  # the second copy compiles again: a write
    ran = run_with(root, "-m", "test.run_all", "--report-dir", str(root / "reports"),
                   XDG_CACHE_HOME=str(cache), PYTHONPATH=str(copies[1]))
    assert ran.code == 1, ran
    left = entries()
    assert len(left) == 8 and seen[1] <= left, left
    assert {f"{family}{number:016x}.cache" for number in range(4, 10)} <= left, left


def strip_times(page: bytes) -> bytes:
    """The page without what differs from run to run: its digits (times, durations)."""
    return re.sub(rb"[0-9]", b"", page)


def imports_jinja2(root: Path, *args: str) -> bool:
    ran = run_with(root, "-X", "importtime", *args)
    assert ran.code in (0, 1), ran
    return bool(re.search(r"\|\s+jinja2$", ran.stderr, re.MULTILINE))


@test("jinja2 is imported only by a run that writes the HTML report")
def imports_jinja2_only_to_write_the_report() -> None:
    root = sample()
    assert not imports_jinja2(root, "-c", "import thinking_tests, thinking_tests.reports.html")
    assert imports_jinja2(root, "-m", "test.run_all", "--report-dir", str(root / "with"))
    (root / "__test__.py").write_text(
        (root / "__test__.py").read_text() + "config.reports.html = None\n"
    )
    assert not imports_jinja2(root, "-m", "test.run_all", "--report-dir", str(root / "without"))
    assert (root / "without" / "junit.xml").is_file() and not (root / "without" / "report.html").exists()


@test("jinja2 is a requirement of the installed distribution")
def requires_jinja2() -> None:
    requires = importlib.metadata.requires("thinking-tests") or []
    names = [re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower() for requirement in requires
             if "extra ==" not in requirement]
    assert "jinja2" in names, requires


@test("the wheel ships the templates beside the package and requires jinja2", tags=["slow"])
def wheel_ships_templates() -> None:
    with tempfile.TemporaryDirectory() as folder:
        built = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
             "--wheel-dir", folder, str(REPO)],
            capture_output=True, text=True, timeout=300,
        )
        assert built.returncode == 0, built.stderr
        (wheel,) = Path(folder).glob("thinking_tests-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            names = set(archive.namelist())
            metadata = next(archive.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    for name in ("report.html", "report.css", "report.js"):
        assert f"thinking_tests/templates/{name}" in names, sorted(names)
    assert "thinking_tests/reports/html/__init__.py" in names
    assert re.search(r"(?mi)^Requires-Dist: jinja2>=3\.1$", metadata), metadata


if __name__ == "__main__":
    run_current_module()
