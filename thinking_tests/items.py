"""What collecting yields: the targets a run covers and the items it found in them (a @test
case, a test unittest's loader gives, a module that failed to import), which selection,
the engines and the reports read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from thinking_tests.case import Case
from thinking_tests.model import ExceptionInfo, record


@record
class Target:
    """What a run covers: a package and everything below it, or one module, or the cases of
    a module a pytest node id names."""

    kind: str  # "package" or "module"
    name: str  # dotted name
    path: str  # the package's directory or the module's file
    namespace: dict[str, Any] | None = None  # a module already executed (run as __main__)
    # Found in a directory (not a package) given on the command line, or in the current
    # directory when none was given (`named` false): the pytest engine hands pytest that
    # directory, or no path at all, so pytest collects there by the project's own rules.
    directory: str = ""
    named: bool = True
    # A pytest node id's part after the module: "name", "name[param]", "Class::method".
    node: str = ""

    def covers(self, module: str, file: str) -> bool:
        if self.kind == "module":
            return file == self.path or module == self.name
        return module == self.name or module.startswith(self.name + ".")

    def selects(self, module: str, name: str) -> bool:
        """Whether a node-id target names this case: itself, a param of it, or a class's."""
        if module != self.name:
            return False
        node = self.node
        return name == node or name.startswith((node + "[", node + "::"))


@record
class NativeTest:
    """A test that unittest's loader gives for a collected module: a TestCase test method, or
    whatever its load_tests added (a doctest, a FunctionTestCase, any callable test)."""

    id: str
    module: str
    name: str
    test: Any  # what unittest runs: a TestCase, mostly, but a suite may hold any callable
    file: str
    line: int
    description: str = ""
    tags: tuple[str, ...] = ()


@record
class ImportFailure:
    """A module that could not be imported: reported as one error case."""

    id: str
    module: str
    name: str
    file: str
    line: int
    info: ExceptionInfo
    message: str
    description: str = ""
    tags: tuple[str, ...] = ()
    error: BaseException | None = field(default=None, compare=False, repr=False)


Item = Case | NativeTest | ImportFailure


@dataclass(repr=False, eq=False)
class Collection:
    """The collected cases, and the modules that failed to import."""

    items: list[Item] = field(default_factory=list)
    failures: list[ImportFailure] = field(default_factory=list)
