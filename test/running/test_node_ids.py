"""Targets as pytest takes them: a node id runs exactly the cases it names, a folder every test
below it, on both engines."""

from __future__ import annotations

from test.running._helpers import one_sentence, outcomes, project, run
from thinking_tests import run_current_module, test

MODULE = """\
    from thinking_tests import test


    @test(params=[1, 2, 3])
    def checks(value):
        assert value != 2


    @test
    def alone():
        pass


    class TestGroup:
        def test_one(self):
            pass

        def test_two(self):
            pass
"""

NODES = [
    ("test/test_m.py::checks", {"test.test_m::checks[0]": "PASSED", "test.test_m::checks[1]": "FAILED",
                                "test.test_m::checks[2]": "PASSED"}),
    ("test/test_m.py::checks[1]", {"test.test_m::checks[1]": "FAILED"}),
    ("test/test_m.py::alone", {"test.test_m::alone": "PASSED"}),
    ("test.test_m::TestGroup", {"test.test_m::TestGroup::test_one": "PASSED",
                                "test.test_m::TestGroup::test_two": "PASSED"}),
    ("test/test_m.py::TestGroup::test_two", {"test.test_m::TestGroup::test_two": "PASSED"}),
]


@test(
    "a node id runs the cases it names and nothing else",
    params=[(node, expected, backend) for node, expected in NODES for backend in ("unittest", "pytest")],
    ids=[f"{node}-{backend}" for node, _ in NODES for backend in ("unittest", "pytest")],
)
def node_id_target(node: str, expected: dict[str, str], backend: str) -> None:
    root = project({"test/__init__.py": "", "test/test_m.py": MODULE, "test/test_other.py": MODULE})
    ran = run("-m", "thinking_tests", node, "-v", "--backend", backend, cwd=root)
    assert outcomes(ran) == expected, ran
    assert ran.code == (1 if "FAILED" in expected.values() else 0), ran


@test("a node id that names no case is refused as pytest refuses it (exit 4), also beside one that does; one that names no module too")
def node_id_nothing() -> None:
    root = project({"test/__init__.py": "", "test/test_m.py": MODULE})
    for nodes in (["test/test_m.py::missing"], ["test/test_m.py::checks", "test/test_m.py::missing"]):
        ran = run("-m", "thinking_tests", *nodes, cwd=root)
        assert ran.code == 4, ran
        sentence = one_sentence(ran)
        assert sentence.startswith("thinking-tests: node id 'test.test_m::missing' names no case of test.test_m (its cases: "), sentence
        assert not (root / "reports").exists(), "a refused run writes no report"
        under_pytest = run("-m", "thinking_tests", *nodes, "--backend", "pytest", cwd=root)
        assert under_pytest.code == 4, under_pytest
        assert "not found" in under_pytest.output and "check the node ids given" in under_pytest.output, under_pytest
    refused = run("-m", "thinking_tests", "test::checks", cwd=root)
    assert refused.code == 4, refused
    assert "is not a node id" in one_sentence(refused), refused


@test(
    "a folder target runs the tests in folders below it without __init__.py, as pytest DIR does",
    params=["unittest", "pytest"],
)
def nested_folders(backend: str) -> None:
    root = project(
        {
            "tests/test_top.py": "def test_top():\n    pass\n",
            "tests/sub/test_sub.py": "def test_sub():\n    assert False\n",
            "tests/sub/deeper/test_deep.py": "def test_deep():\n    pass\n",
            "tests/pkg/__init__.py": "",
            "tests/pkg/test_in_package.py": "def test_in_package():\n    pass\n",
            "tests/node_modules/test_never.py": "def test_never():\n    assert False\n",
            "tests/.hidden/test_never.py": "def test_never():\n    assert False\n",
        }
    )
    ran = run("-m", "thinking_tests", "tests", "-v", "--backend", backend, cwd=root)
    assert outcomes(ran) == {
        "pkg.test_in_package::test_in_package": "PASSED",
        "test_deep::test_deep": "PASSED",
        "test_sub::test_sub": "FAILED",
        "test_top::test_top": "PASSED",
    }, ran
    plain = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-tt-reports", "tests", cwd=root)
    assert "1 failed, 3 passed" in plain.output, plain
    assert ran.code == 1, ran


if __name__ == "__main__":
    run_current_module()
