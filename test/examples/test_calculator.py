"""The calculator example, the quickstart's main job: each entry point runs exactly its cases."""

from __future__ import annotations

import shutil
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from test.support import REPO, Ran, run
from thinking_tests import fixture, run_current_module, test

EXAMPLE = REPO / "examples" / "calculator"


@fixture(scope="module")
def calculator() -> Path:
    """A copy of the example, so runs write their reports outside the checkout."""
    root = Path(tempfile.mkdtemp(prefix="tt-calculator-")) / "calculator"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("reports", "__pycache__"))
    yield root
    shutil.rmtree(root.parent, ignore_errors=True)


def junit_ids(root: Path) -> list[str]:
    tree = ET.parse(root / "reports" / "junit.xml")
    return [f"{c.get('classname')}::{c.get('name')}" for c in tree.iter("testcase")]


@test(
    "each entry point of the calculator runs exactly its own cases",
    params=[
        (["-m", "test.run_all"], (67, 0, 2), ""),
        (["-m", "test.expression.run_all"], (58, 0, 2), "test.expression."),
        (["-m", "test.expression.test_evaluator"], (25, 0, 1), "test.expression.test_evaluator::"),
        (["test/run_all.py"], (67, 0, 2), ""),
    ],
    ids=["run_all", "subpackage", "module", "script"],
    timeout=240,
)
def entry_points(args: list[str], counts: tuple[int, int, int], prefix: str, calculator: Path) -> None:
    ran: Ran = run(*args, cwd=calculator)
    assert ran.code == 0, ran
    assert ran.counts == counts, ran
    ids = junit_ids(calculator)
    assert len(ids) == sum(counts)
    assert all(i.startswith(prefix) for i in ids), ids
    assert not any("__main__" in i for i in ids)


@test("the calculator's run writes every default report, coverage included", timeout=240)
def reports(calculator: Path) -> None:
    ran = run("-m", "test.run_all", cwd=calculator)
    assert ran.code == 0, ran
    reports = calculator / "reports"
    for name in ("junit.xml", "report.html", ".coverage", "coverage.xml", "coverage-html/index.html"):
        assert (reports / name).is_file(), f"{name} missing after the run:\n{ran!r}"
    coverage = ET.parse(reports / "coverage.xml").getroot()
    assert float(coverage.get("line-rate", "0")) > 0.8, "the calculator's tests cover most of it"
    assert "coverage: " in ran.stdout


@test("a failing calculator test makes the run exit 1 and names the case", timeout=240)
def failing(calculator: Path) -> None:
    broken = calculator / "test" / "expression" / "test_zz_broken.py"
    broken.write_text(
        "from thinking_tests import test\n"
        "from calculator.evaluator import evaluate\n\n"
        "@test\n"
        "def wrong_sum():\n"
        "    assert evaluate('1 + 2') == 4\n"
    )
    try:
        ran = run("-m", "test.expression.run_all", "--no-coverage", cwd=calculator)
    finally:
        broken.unlink()
    assert ran.code == 1, ran
    assert ran.counts == (58, 1, 2), ran
    assert "test.expression.test_zz_broken::wrong_sum" in ran.stdout
    assert "assert 3.0 == 4" in ran.stdout or "assert 3 == 4" in ran.stdout, ran


if __name__ == "__main__":
    run_current_module()
