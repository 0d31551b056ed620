"""Bad input stops a run with one sentence and the right exit code, never a traceback: a broken
__test__.py or pyproject.toml, bad flags, a run_all.py outside any package, a report directory
that cannot be written, a journal that is not one; a module that fails to import is one error
case and the rest still runs.

(test/running/test_config_file.py and test_import_errors.py cover the common mistakes; these
are the ones they leave out.)
"""

from __future__ import annotations

import os
import unittest
from pathlib import Path

from test.robustness._helpers import junit, one_sentence, problem, project, run
from test.support import RUN_ALL
from thinking_tests import fixture, run_current_module, test

MODULE = '''
from thinking_tests import test


@test
def a():
    pass


if __name__ == "__main__":
    from thinking_tests import run_current_module

    run_current_module()
'''
FILES = {"test/test_a.py": MODULE}

UNPRINTABLE = '''
class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("str() refused")


raise Unprintable()
'''

RUN_ALL_ARGS = ("-m", "test.run_all")
MODULE_ARGS = ("-m", "test.test_a")
CLI = ("-m", "thinking_tests")


@test(
    "a broken __test__.py stops every way of running: exit 4, one sentence naming what is wrong",
    params=[
        (UNPRINTABLE, RUN_ALL_ARGS, ["__test__.py:9", "raised Unprintable"]),
        ("config.coverage = False\n", RUN_ALL_ARGS, ["config.coverage must be CoverageSettings"]),
        ("config.coverage = False\n", MODULE_ARGS, ["config.coverage must be CoverageSettings"]),
        ("config.coverage = False\n", (*CLI, "--no-coverage"), ["config.coverage must be"]),
        ("config.coverage = False\n", (*CLI, "report"), ["config.coverage must be"]),
        ("config.reports = None\n", (*CLI, "--no-reports"), ["config.reports must be ReportSettings"]),
        ("config.reports = None\n", (*CLI, "--report-dir", "out"), ["config.reports must be"]),
        ("config.reports = None\n", MODULE_ARGS, ["config.reports must be ReportSettings"]),
        ("config.timeout = float('nan')\n", RUN_ALL_ARGS, ["config.timeout", "finite"]),
        ("config.timeout = float('inf')\n", MODULE_ARGS, ["config.timeout", "finite"]),
        ("config.aspects = 'timed'\n", RUN_ALL_ARGS, ["config.aspects must be list"]),
        ("config.reports.directory = 'bad\\x00dir'\n", RUN_ALL_ARGS,
         ["config.reports.directory", "cannot be created"]),
    ],
    ids=["unprintable exception", "coverage = False", "coverage = False, one module",
         "coverage = False, --no-coverage", "coverage = False, report", "reports = None, --no-reports",
         "reports = None, --report-dir", "reports = None, one module", "timeout NaN", "timeout inf",
         "aspects a string", "NUL in the report directory"],
)
def broken_config(text: str, args: tuple[str, ...], words: list[str]) -> None:
    root = project(FILES, config=text)
    ran = run(*args, cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    for word in words:
        assert word in sentence, (word, sentence)
    if "cannot be created" not in sentence:  # that one names the directory instead
        assert "__test__.py" in sentence, sentence
    assert not (root / "reports").exists() and not (root / "out").exists(), "a refused run wrote"


@test("a pyproject.toml that is not TOML stops the run: exit 4, one sentence naming the file")
def broken_pyproject() -> None:
    root = project(
        {**FILES, "pyproject.toml": "[tool.thinking-tests]\nbackend = \n"}, config=None
    )
    ran = run(*RUN_ALL_ARGS, cwd=root)
    assert ran.code == 4, ran
    assert "pyproject.toml" in one_sentence(ran), ran
    assert not (root / "reports").exists()


@fixture(scope="module")
def plain() -> Path:
    root = project(FILES)
    (root / "a-file").write_text("not a folder\n")
    (root / "not-a-journal").mkdir()
    (root / "not-a-journal" / "journal.jsonl").write_text('{"kind": "run"}\n{"kind": "case", "id": 1}\n')
    (root / "listed").mkdir()
    (root / "listed" / "journal.jsonl").write_text('{"kind": "run"}\n[1, 2, 3]\n')
    (root / "wrong-types").mkdir()
    (root / "wrong-types" / "journal.jsonl").write_text('{"kind": "run", "start": "soon"}\n')
    return root


@test(
    "bad input on the command line: exit 4, one sentence naming it",
    params=[
        ((*CLI, "--shard", "3/2"), "--shard 3/2"),
        ((*CLI, "--shard", "half"), "'half'"),
        ((*CLI, "--shard", "1/2", "--shard-durations", "no-such.jsonl"), "no-such.jsonl"),
        ((*CLI, "--report-dir", "a-file/reports"), "cannot be created"),
        ((*CLI, "report", "nowhere"), "nowhere"),
        ((*CLI, "report", "not-a-journal"), "not-a-journal"),
        ((*CLI, "report", "listed"), "listed"),
        ((*CLI, "report", "wrong-types"), "wrong-types"),
        ((*CLI, "merge", "nowhere", "--into", "merged"), "nowhere"),
    ],
    ids=["shard out of range", "shard not K/N", "missing durations journal",
         "report directory under a file", "report: no journal", "report: a record without fields",
         "report: a record that is a list", "report: wrong types", "merge: no journal"],
)
def bad_command_line(args: tuple[str, ...], named: str, plain: Path) -> None:
    ran = run(*args, cwd=plain)
    assert ran.code == 4, ran
    assert named in one_sentence(ran), ran
    assert not (plain / "reports").exists() and not (plain / "merged").exists()


@test("a read-only --report-dir stops the run: exit 4, one sentence")
def read_only_report_dir() -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        raise unittest.SkipTest("root writes into read-only directories anyway")
    root = project(FILES)
    (root / "locked").mkdir()
    (root / "locked").chmod(0o555)
    try:
        ran = run(*CLI, "--report-dir", "locked", cwd=root)
    finally:
        (root / "locked").chmod(0o755)
    assert ran.code == 4, ran
    assert "is not writable" in one_sentence(ran), ran
    assert not any((root / "locked").iterdir())


@test(
    "a run_all.py outside any package, beside no test package, refuses with one sentence",
    params=[(("loose/run_all.py",), "."), (("run_all.py",), "loose"), (("-m", "run_all"), "loose")],
    ids=["python loose/run_all.py", "python run_all.py", "python -m run_all"],
)
def run_all_outside_a_package(args: tuple[str, ...], where: str) -> None:
    root = project({"loose/run_all.py": RUN_ALL, "loose/test_x.py": MODULE}, packaged=False)
    ran = run(*args, cwd=root / where)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "run_all.py is not inside a package" in sentence, sentence
    assert "holds no test package" in sentence, sentence
    assert not (root / "reports").exists() and not (root / "loose" / "reports").exists()


# --- modules that fail to import -------------------------------------------------------------

NESTED = '''
from thinking_tests import test

from brokenlib import VALUE


@test
def never():
    pass
'''
BROKENLIB = '''
VALUE = 1

raise LookupError("BROKENLIB-FAILS")
'''
NAN = '''
from thinking_tests import test


@test(timeout=float("nan"))
def never():
    pass
'''

# module -> (the line of the module that failed, what the message says, other text shown)
BROKEN = {
    "test_b_nested": (4, "LookupError: BROKENLIB-FAILS", "brokenlib.py\", line 4"),
    "test_c_unprintable": (7, "<str() of Unprintable raised RuntimeError>", "raise Unprintable()"),
    "test_d_nan": (5, "must be a positive number of seconds", "timeout=float(\"nan\")"),
}


@fixture(scope="module")
def broken_imports() -> tuple[Path, object]:
    root = project({
        "test/test_a_fine.py": MODULE,
        "test/test_b_nested.py": NESTED,
        "brokenlib.py": BROKENLIB,
        "test/test_c_unprintable.py": UNPRINTABLE,
        "test/test_d_nan.py": NAN,
        "test/test_e_fine.py": MODULE,
    })
    return root, run(*RUN_ALL_ARGS, "-v", cwd=root)


@test("modules that fail to import: one error each; the other modules still run; exit 1")
def the_rest_runs(broken_imports: tuple[Path, object]) -> None:
    root, ran = broken_imports
    assert ran.code == 1, ran  # type: ignore[attr-defined]
    assert ran.counts == (2, 3, 0), ran  # type: ignore[attr-defined]
    assert "Traceback" not in ran.stderr, ran  # type: ignore[attr-defined]
    cases = junit(root / "reports" / "junit.xml")
    assert sorted(cases) == sorted(
        ["test.test_a_fine::a", "test.test_e_fine::a"] + [f"test.{m}::<import>" for m in BROKEN]
    ), sorted(cases)


@test(
    "the error names the module and its line that failed; the traceback goes on from there",
    params=[(module, *BROKEN[module]) for module in BROKEN],
    ids=list(BROKEN),
)
def names_module_and_line(
    module: str, line: int, message: str, shown: str, broken_imports: tuple[Path, object]
) -> None:
    root, ran = broken_imports
    error = problem(junit(root / "reports" / "junit.xml")[f"test.{module}::<import>"])
    assert error.tag == "error", error.tag
    text = error.get("message") or ""
    assert f"module test.{module} failed to import" in text, text
    assert message in text, text
    assert f"test/{module}.py:{line}" in text, text
    assert shown in (error.text or ""), error.text
    assert f"test.{module}::<import> ERROR" in ran.stdout, ran  # type: ignore[attr-defined]


if __name__ == "__main__":
    run_current_module()
