"""Exit codes, as pytest's: 0 all passed, 1 some failed, 4 usage or configuration error, 5 none ran."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from test.running._helpers import module, one_sentence, package, project, run
from thinking_tests import fixture, run_current_module, test


@fixture(scope="module")
def outcomes_tree() -> Iterator[Path]:
    # One test package per situation, each with its own run_all.py.
    yield project({
        **package("test", "test.passing", "test.failing", "test.erroring", "test.skipping",
                  "test.xpassing", "test.broken", "test.empty", "test.nocases"),
        "test/passing/test_p.py": module("@test\ndef a(): pass\n\n@test\ndef b(): pass"),
        "test/failing/test_f.py": module("@test\ndef a(): pass\n\n@test\ndef b(): assert 1 == 2"),
        "test/erroring/test_e.py": module(
            "from thinking_tests import fixture\n\n"
            "@fixture\ndef broken():\n    raise OSError('no disk')\n\n"
            "@test\ndef a(broken): pass"
        ),
        "test/skipping/test_s.py": module(
            "@test(skip='not here')\ndef a(): pass\n\n@test(xfail='bug 1')\ndef b(): assert False"
        ),
        "test/xpassing/test_x.py": module("@test(xfail='bug 2')\ndef a(): pass"),
        "test/broken/test_b.py": "import no_such_module_anywhere\n",
        "test/nocases/test_n.py": "VALUE = 1\n",
    })


@test(
    "the exit code of a run, and the counts it ends with",
    params=[
        (("-m", "test.passing.run_all"), 0, (2, 0, 0)),
        (("-m", "test.failing.run_all"), 1, (1, 1, 0)),
        (("-m", "test.erroring.run_all"), 1, (0, 1, 0)),
        (("-m", "test.skipping.run_all"), 0, (0, 0, 2)),
        (("-m", "test.xpassing.run_all"), 0, (1, 0, 0)),
        (("-m", "test.broken.run_all"), 1, (0, 1, 0)),
        (("-m", "test.empty.run_all"), 5, (0, 0, 0)),
        (("-m", "test.nocases.run_all"), 5, (0, 0, 0)),
        (("-m", "test.passing.run_all", "-k", "nothing_matches_this"), 5, (0, 0, 0)),
        (("-m", "thinking_tests", "test.passing", "-t", "no-such-tag"), 5, (0, 0, 0)),
        (("-m", "test.run_all"), 1, (4, 3, 2)),
    ],
    ids=["all pass", "one fails", "fixture error", "skip and xfail", "xpass", "import error",
         "empty package", "module without cases", "-k selects nothing", "-t selects nothing",
         "everything"],
)
def exit_code(args: tuple[str, ...], code: int, counts: tuple[int, int, int], outcomes_tree: Path) -> None:
    ran = run(*args, cwd=outcomes_tree)
    assert ran.code == code, ran
    assert ran.counts == counts, ran
    assert "Traceback" not in ran.stderr, ran


@test("--list: 0 when it selects cases, 5 when none")
def list_exit_codes(outcomes_tree: Path) -> None:
    assert run("-m", "test.passing.run_all", "--list", cwd=outcomes_tree).code == 0
    ran = run("-m", "test.passing.run_all", "--list", "-k", "nothing_matches_this", cwd=outcomes_tree)
    assert ran.code == 5, ran
    assert ran.last_line == "0 cases selected", ran


@test(
    "usage and configuration errors exit 4 with one sentence",
    params=[
        (("-m", "thinking_tests", "no.such.target"), ""),
        (("-m", "test.run_all", "-k", "a and"), ""),
        (("-m", "test.passing.test_p"), "config.nothing = 1\n"),
    ],
    ids=["unknown target", "bad -k", "typo in a setting"],
)
def usage_errors(args: tuple[str, ...], config: str, outcomes_tree: Path) -> None:
    root = outcomes_tree
    if config:
        root = project({**package("test", "test.passing"),
                        "test/passing/test_p.py": module("@test\ndef a(): pass")}, config=config)
    ran = run(*args, cwd=root)
    assert ran.code == 4, ran
    one_sentence(ran)


if __name__ == "__main__":
    run_current_module()
