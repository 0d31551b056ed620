"""A pytest node id as a target runs exactly the cases it names, on both engines."""

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


@test("a node id that names no case says so (exit 5); one that names no module is refused (exit 4)")
def node_id_nothing() -> None:
    root = project({"test/__init__.py": "", "test/test_m.py": MODULE})
    ran = run("-m", "thinking_tests", "test/test_m.py::missing", cwd=root)
    assert ran.code == 5, ran
    assert "node id 'test.test_m::missing' matched none of the 6 collected cases" in ran.stdout, ran
    refused = run("-m", "thinking_tests", "test::checks", cwd=root)
    assert refused.code == 4, refused
    assert "is not a node id" in one_sentence(refused), refused


if __name__ == "__main__":
    run_current_module()
