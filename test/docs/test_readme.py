"""Every code block of README.md is executed here, as what it claims to be.

- a ```python block runs as a test module of a temporary project (and under plain pytest);
  the one starting `from thinking_tests import config` runs as a real `__test__.py`, the
  `run_all.py` block as a real `test/run_all.py`;
- a ```toml block is the pyproject.toml of a copy of the calculator example;
- a ```bash block's commands run in a copy of the calculator (or an empty folder, for
  `init`), `pytest` with the plugin loaded by name; `pip install` lines are the quickstart's
  (test_quickstart.py);
- the plain blocks are the command line's synopsis, a failure as the terminal shows it and the
  last two lines of a run: each is compared with the real thing.

The README is parsed when this module is imported, so a new block is picked up, and a block
of a kind nobody here runs fails `every_block_is_run`.
"""

from __future__ import annotations

import ast
import atexit
import builtins
import re
import shlex
import shutil
import tempfile
import tomllib
from dataclasses import fields
from functools import cache
from pathlib import Path

from test.docs import README, Block, blocks
from test.support import REPO, RUN_ALL, SUMMARY, Ran, project, run
from thinking_tests import run_current_module, test

BLOCKS = blocks()
CALCULATOR = REPO / "examples" / "calculator"
PLUGIN = ("-p", "thinking_tests.pytest_plugin")

# Names that README blocks use without defining them (a fragment of a larger module), and
# the smallest definition of each. A block using any other undefined name fails.
PRELUDE = {
    "test": "from thinking_tests import test\n",
    "timed": "from thinking_tests import aspect\n\n\n@aspect\ndef timed(stage, case):\n    yield\n",
}

# A case shown with -v: "test.mod::name OUTCOME ..."; under pytest -v: "path::name OUTCOME".
_VERBOSE = re.compile(r"^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAILED|XPASSED|XFAIL|XPASS)\b")
_HEADER = re.compile(r"^_{3,} (\S+) _{3,}$")

_MADE: list[Path] = []


@atexit.register
def _remove() -> None:
    for path in _MADE:
        shutil.rmtree(path, ignore_errors=True)


def made(path: Path) -> Path:
    """`path`, removed when this process ends."""
    _MADE.append(path)
    return path


def calculator() -> Path:
    """A fresh copy of the calculator example (as test/examples/test_calculator.py makes)."""
    root = made(Path(tempfile.mkdtemp(prefix="tt-readme-"))) / "calculator"
    shutil.copytree(CALCULATOR, root, ignore=shutil.ignore_patterns("reports", "__pycache__"))
    return root


# --- what a block is -------------------------------------------------------------------


def role(block: Block) -> str:
    """What a block is run as: module, config, run_all, toml, bash, synopsis, failure, summary."""
    text = block.text
    if block.lang == "python":
        if text.startswith("from thinking_tests import config"):
            return "config"
        if (
            re.search(r"^from thinking_tests import run_all$", text, re.MULTILINE)
            and "run_all()" in text
        ):
            return "run_all"
        return "module"
    if block.lang in ("toml", "bash"):
        return block.lang
    if block.lang == "sh" and block.section == "Reproduce":
        return "parity"
    if block.lang == "":
        lines = text.splitlines()
        if text.startswith("python -m thinking_tests "):
            return "synopsis"
        if any(_HEADER.match(line) for line in lines):
            return "failure"
        if lines and SUMMARY.match(lines[-1]):
            return "summary"
    return "unknown"


def of_role(name: str) -> list[Block]:
    return [b for b in BLOCKS if role(b) == name]


def ids(found: list[Block]) -> list[str]:
    return [b.id for b in found]


def free_names(source: str) -> set[str]:
    """Names the source reads but neither defines, imports, nor gets from builtins."""
    loaded: set[str] = set()
    bound: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return loaded - bound - set(dir(builtins))


def with_prelude(block: Block) -> str:
    """The block's text, after the prelude definitions of the names it uses undefined."""
    missing = free_names(block.text)
    unknown = missing - PRELUDE.keys()
    assert not unknown, f"{block!r} uses {sorted(unknown)} without defining them"
    prelude = "".join(PRELUDE[name] for name in sorted(missing))
    return f"{prelude}\n\n{block.text}" if prelude else block.text


def expected_outcomes(source: str) -> dict[str, str]:
    """Case name -> its outcome as the source declares it: SKIPPED, XFAILED or PASSED."""
    expected: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            func = call.func if call else decorator
            if not (isinstance(func, ast.Name) and func.id == "test"):
                continue
            options = {k.arg: k.value for k in call.keywords} if call else {}
            name = options["name"].value if "name" in options else node.name  # type: ignore[attr-defined]
            outcome = "PASSED"
            if _truthy(options.get("skip")):
                outcome = "SKIPPED"
            elif _truthy(options.get("xfail")):
                outcome = "XFAILED"
            expected[name] = outcome
    return expected


def _truthy(node: ast.expr | None) -> bool:
    if node is None:
        return False
    try:
        return bool(ast.literal_eval(node))
    except ValueError:
        return True


def outcomes(ran: Ran) -> dict[str, str]:
    """Case name (the id without module and [param]) -> outcomes of a -v run, in one word."""
    found: dict[str, set[str]] = {}
    for line in ran.stdout.splitlines():
        match = _VERBOSE.match(line)
        if match:
            name = re.sub(r"\[.*\]$", "", match[1].split("::", 1)[1])
            word = {"XFAIL": "XFAILED", "XPASS": "XPASSED"}.get(match[2], match[2])
            found.setdefault(name, set()).add(word)
    return {name: "/".join(sorted(words)) for name, words in found.items()}


def block_project(block: Block) -> Path:
    """A temporary project whose one test module is the block (after its prelude)."""
    return made(
        project(
            {
                "test/__init__.py": "",
                "test/run_all.py": RUN_ALL,
                "test/test_block.py": with_prelude(block),
            }
        )
    )


@cache
def unittest_run(block: Block) -> Ran:
    return run("-m", "test.run_all", "--no-coverage", "-v", cwd=block_project(block))


# --- the parity table ------------------------------------------------------------------


def _parity_rows() -> list[list[str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("### The table")
    rows = [line for line in lines[start:] if line.startswith("| ")][1:]  # after the header
    cells = [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]
    end = next((i for i, row in enumerate(cells) if len(row) != 7), len(cells))
    return cells[:end]


@test("the parity table names bench.parity's suites, and each verdict agrees with its counts")
def parity_table() -> None:
    from bench.parity import SUITES

    rows = _parity_rows()
    assert [(r[0], r[1]) for r in rows] == [(s.name, s.version) for s in SUITES if s.default], rows
    assert len([r for r in rows if r[6] == "yes"]) >= 5, rows
    assert {r[2] for r in rows if r[6] == "yes"} == {"unittest", "pytest"}, rows
    for name, _, _, own, tt_unittest, tt_pytest, equal in rows:
        total = own.split(":")[0]
        if equal == "yes":
            assert own == tt_unittest == tt_pytest, name
        else:
            assert equal.startswith("pytest engine: yes; default engine: "), (name, equal)
            assert "(by design)" in equal and own == tt_pytest, name
            assert tt_unittest.split(":")[0] == total, name
    (block,) = of_role("parity")
    for name, version, *_ in rows:
        assert f"# {name} {version}\n" in block.text, name
        assert f"pip download --no-binary :all: --no-deps {name}=={version}\n" in block.text, name


# --- every block has a test ------------------------------------------------------------


@test("every code block of the README is of a kind a test here runs")
def every_block_is_run() -> None:
    assert BLOCKS, f"no code blocks found in {README}"
    unknown = [b for b in BLOCKS if role(b) == "unknown"]
    assert not unknown, (
        f"blocks no test runs (give them a language, or teach test_readme): {unknown}"
    )
    for block in of_role("module") + of_role("config") + of_role("run_all"):
        with_prelude(block)  # parses, and uses no name the prelude lacks
    assert len(of_role("config")) == 1, (
        "one Configuration block, starting `from thinking_tests import config`"
    )
    assert of_role("run_all"), "the run_all.py block"


# --- python blocks ---------------------------------------------------------------------


@test(
    "a python block runs as a test module: no import error, each case as the block declares it",
    params=of_role("module"),
    ids=ids(of_role("module")),
)
def python_block(block: Block) -> None:
    ran = unittest_run(block)
    assert ran.code not in (3, 4), ran
    assert "::<import>" not in ran.stdout, ran
    expected = expected_outcomes(block.text)
    assert outcomes(ran) == expected, ran
    # cases that pass, skip or fail as expected make exit 0; a fragment without cases, 5
    assert ran.code == (0 if expected else 5), ran
    if expected:
        assert sum(ran.counts) >= len(expected), ran  # the last line is the summary


@test(
    "a python block with cases runs under plain pytest with the plugin, with the same outcomes",
    params=[b for b in of_role("module") if expected_outcomes(b.text)],
    ids=ids([b for b in of_role("module") if expected_outcomes(b.text)]),
)
def python_block_under_pytest(block: Block) -> None:
    root = block_project(block)
    ran = run(
        "-m", "pytest", *PLUGIN, "-v", "-p", "no:cacheprovider", "test/test_block.py", cwd=root
    )
    assert ran.code == 0, ran
    assert outcomes(ran) == expected_outcomes(block.text), ran


@test("the @test showcase: adds passes, rounds is an expected failure, trains_on_gpu is skipped")
def showcase() -> None:
    [block] = [b for b in of_role("module") if "def rounds(" in b.text]
    found = outcomes(unittest_run(block))
    assert found["adds"] == "PASSED", found
    assert found["rounds"] == "XFAILED", found
    assert found["trains_on_gpu"] == "SKIPPED", found
    assert found["adds_again"] == "PASSED", found


@test(
    "a block ending in run_current_module() runs its module with python -m",
    params=[b for b in of_role("module") if "run_current_module()" in b.text],
    ids=ids([b for b in of_role("module") if "run_current_module()" in b.text]),
)
def run_current_module_block(block: Block) -> None:
    text = with_prelude(block)
    if not expected_outcomes(text):  # "end a module with:" -- so put a case before it
        text = "from thinking_tests import test\n\n\n@test\ndef first():\n    pass\n\n\n" + text
    root = made(project({"test/__init__.py": "", "test/test_one.py": text}))
    ran = run("-m", "test.test_one", "--no-coverage", cwd=root)
    assert ran.code == 0, ran
    assert ran.counts[1] == 0 and sum(ran.counts) >= 1, ran


@test(
    "the run_all.py block works as a real test/run_all.py, with python -m and as a script",
    params=of_role("run_all"),
    ids=ids(of_role("run_all")),
)
def run_all_block(block: Block) -> None:
    root = made(
        project(
            {
                "test/__init__.py": "",
                "test/run_all.py": with_prelude(block),
                "test/test_one.py": "from thinking_tests import test\n\n@test\ndef one():\n    pass\n",
                "test/sub/__init__.py": "",
                "test/sub/test_two.py": "from thinking_tests import test\n\n@test\ndef two():\n    pass\n",
            }
        )
    )
    for args in (["-m", "test.run_all"], ["test/run_all.py"]):
        ran = run(*args, "--no-coverage", cwd=root)
        assert ran.code == 0, ran
        assert ran.counts == (2, 0, 0), ran


@test(
    "the Configuration block works as the real __test__.py of the calculator example", timeout=300
)
def configuration_block() -> None:
    [block] = of_role("config")
    root = calculator()
    (root / "__test__.py").write_text(with_prelude(block))
    ran = run("-m", "test.run_all", cwd=root, timeout=240)
    assert ran.code not in (3, 4), ran
    assert "Traceback" not in ran.stdout, ran
    assert "configured by __test__.py" in ran.stdout, ran
    assert ran.counts == (67, 0, 2), ran
    assert ran.code == 0, ran


def dotted_names(tree: ast.AST) -> set[str]:
    """Every attribute chain rooted at the name `config`: config.reports.html, config.aspects.append."""
    names: set[str] = set()
    for node in ast.walk(tree):
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if isinstance(node, ast.Name) and node.id == "config" and parts:
            names.add(".".join(["config", *reversed(parts)]))
    return names


@test("every config.* name of the Configuration and toml blocks exists on thinking_tests.config")
def configuration_names() -> None:
    from thinking_tests import config

    [block] = of_role("config")
    names = dotted_names(ast.parse(block.text))
    assert len(names) > 10, names
    for toml_block in of_role("toml"):
        settings = tomllib.loads(toml_block.text).get("tool", {}).get("thinking-tests", {})
        for key, value in settings.items():
            if isinstance(value, dict):
                names.update(f"config.{key}.{inner}" for inner in value)
            else:
                names.add(f"config.{key}")
    for name in sorted(names):
        obj: object = config
        for part in name.split(".")[1:]:
            assert hasattr(obj, part), (
                f"the README's {name} is not a setting ({type(obj).__name__} has no {part!r})"
            )
            obj = getattr(obj, part)


@test("every setting of Config, ReportSettings and CoverageSettings is in the README")
def every_setting_documented() -> None:
    from thinking_tests.config import Config, CoverageSettings, ReportSettings

    text = README.read_text(encoding="utf-8")
    missing = []
    for prefix, cls in (
        ("config", Config),
        ("config.reports", ReportSettings),
        ("config.coverage", CoverageSettings),
    ):
        for f in fields(cls):
            name = f"{prefix}.{f.name}"
            if f.name != "source_file" and not re.search(re.escape(name) + r"(?![\w])", text):
                missing.append(name)
    assert not missing, f"settings the README never mentions: {missing}"


# --- toml blocks -----------------------------------------------------------------------


@test(
    "a toml block is accepted as the calculator's pyproject.toml, and its report settings apply",
    params=of_role("toml"),
    ids=ids(of_role("toml")),
    timeout=300,
)
def toml_block(block: Block) -> None:
    settings = tomllib.loads(block.text)["tool"]["thinking-tests"]
    root = calculator()
    (root / "pyproject.toml").write_text(block.text)
    ran = run("-m", "test.run_all", cwd=root, timeout=240)
    assert ran.code not in (3, 4), ran
    assert ran.counts == (67, 0, 2), ran
    reports = settings.get("reports", {})
    directory = root / reports.get("directory", "reports")
    for name, default in (("junit_xml", "junit.xml"), ("html", "report.html")):
        path = directory / default
        if reports.get(name, default) is False:
            assert not path.exists(), f"{name} = false, yet {path} was written"
        else:
            assert (directory / reports.get(name, default)).is_file(), ran


# --- bash blocks -----------------------------------------------------------------------


def commands(block: Block) -> list[list[str]]:
    """The block's commands as argument lists: comments dropped, `a && b` split."""
    found: list[list[str]] = []
    for line in block.text.replace("\\\n", " ").splitlines():
        words: list[str] = []
        for word in shlex.split(line, comments=True) + ["&&"]:
            if word == "&&":
                if words:
                    found.append(words)
                words = []
            else:
                words.append(word)
    return found


def is_install(words: list[str]) -> bool:
    return words[:2] == ["pip", "install"] or words[:4] == ["python", "-m", "pip", "install"]


def bash_lines(block: Block) -> list[list[list[str]]]:
    """Per line of the block, its commands; lines that install with pip are the quickstart's."""
    result = []
    for line in block.text.replace("\\\n", " ").splitlines():
        line_commands = commands(Block("bash", line, block.line, block.section))
        if line_commands and not any(is_install(c) for c in line_commands):
            result.append(line_commands)
    return result


RUNNABLE_BASH = [b for b in of_role("bash") if bash_lines(b)]


def provide_node_ids(root: Path, line_commands: list[list[str]]) -> None:
    """A `pytest PATH::NAME` the calculator lacks gets the README block that declares NAME at PATH."""
    for words in line_commands:
        for word in words[1:]:
            if words[0] != "pytest" or "::" not in word:
                continue
            path, name = word.split("::", 1)
            name = re.sub(r"\[.*\]$", "", name)
            target = root / path
            if target.is_file() and name in expected_outcomes(target.read_text()):
                continue
            declaring = [b for b in of_role("module") if name in expected_outcomes(b.text)]
            assert declaring, (
                f"no README block declares the case {name!r} that `{' '.join(words)}` names"
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(with_prelude(declaring[0]))


@test(
    "each command of a bash block runs as written (pytest with the plugin loaded by name)",
    params=RUNNABLE_BASH,
    ids=ids(RUNNABLE_BASH),
    timeout=600,
)
def bash_block(block: Block) -> None:
    lines = bash_lines(block)
    if any(
        words[:4] == ["python", "-m", "thinking_tests", "init"] for line in lines for words in line
    ):
        cwd = made(Path(tempfile.mkdtemp(prefix="tt-readme-init-")))  # "in your own repository"
    else:
        cwd = calculator()
    for line in lines:
        provide_node_ids(cwd, line)
        for words in line:
            if words[0] == "cd":
                cwd = cwd / words[1]
                continue
            if words[0] == "python":
                ran = run(*words[1:], cwd=cwd, timeout=300)
            elif words[0] == "pytest":
                ran = run("-m", "pytest", *words[1:], *PLUGIN, cwd=cwd, timeout=300)
            else:
                raise AssertionError(f"{block!r}: no test knows how to run `{' '.join(words)}`")
            shown = " ".join(words)
            assert ran.code != 4, f"`{shown}` is a usage error: {ran!r}"
            assert ran.code == 0, f"`{shown}` exited {ran.code}: {ran!r}"


# --- plain blocks: the command line and the terminal -----------------------------------


@cache
def help_text() -> str:
    ran = run("-m", "thinking_tests", "--help", cwd=REPO)
    assert ran.code == 0, ran
    return ran.stdout


def flags_in(text: str) -> set[str]:
    return set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text))


def help_flags() -> set[str]:
    """The flags of --help's option lines ("  -t TAG, --tag TAG   only cases ...")."""
    found: set[str] = set()
    for line in help_text().splitlines():
        match = re.match(r"^  (-\S.*?)(?:  |$)", line)
        if match:
            found |= flags_in(match[1])
    return found - {"-h", "--help", "--version"}


def flag_table() -> set[str]:
    """The flags in the first column of the README's flag table."""
    lines = README.read_text(encoding="utf-8").splitlines()
    headers = [i for i, line in enumerate(lines) if re.match(r"^\|\s*flag\s*\|", line)]
    assert len(headers) == 1, "one table in the README whose first column is headed `flag`"
    found: set[str] = set()
    for line in lines[headers[0] + 2 :]:
        if not line.startswith("|"):
            break
        found |= flags_in(line.split("|")[1])
    return found


@test(
    "every flag of the README's flag table and synopsis is in --help, and every flag of --help in the table"
)
def flags() -> None:
    table = flag_table()
    assert len(table) > 10, table
    documented = set(table)
    for block in of_role("synopsis"):
        documented |= flags_in(block.text.replace("python -m thinking_tests", ""))
    unknown = {
        f for f in documented if not re.search(rf"(?<![\w-]){re.escape(f)}(?![\w-])", help_text())
    }
    assert not unknown, f"flags the README names that --help does not know: {sorted(unknown)}"
    undocumented = help_flags() - table
    assert not undocumented, (
        f"flags of --help missing from the README's flag table: {sorted(undocumented)}"
    )


# The project the failure display of the README is taken from: test/test_math.py, the case on
# line 5 and its failing assert on line 7.
MATH = """\
from thinking_tests import test

def add(a, b): return a + b

@test
def adds():
    assert add(1, 2) == 4
"""


def normalized(line: str, root: Path | None = None) -> str:
    if root is not None:
        line = line.replace(f"{root}/", "")
    return re.sub(r"_{3,}", "___", line.rstrip())


@test("the README's failure display is what the terminal shows for add(1, 2) == 4")
def failure_display() -> None:
    [block] = of_role("failure")
    doc = [normalized(line) for line in block.text.splitlines()]
    assert _HEADER.match(block.text.splitlines()[0]), f"{block!r} starts with the id's header"
    assert " +  where 3 = add(1, 2)" in doc, doc
    root = made(
        project({"test/__init__.py": "", "test/run_all.py": RUN_ALL, "test/test_math.py": MATH})
    )
    ran = run("-m", "test.run_all", "--no-coverage", cwd=root)
    assert ran.code == 1, ran
    real = [normalized(line, root) for line in ran.stdout.splitlines()]
    # Each line of the README's block appears in the real output, in order: the same line, or
    # one that goes on after it (`...: AssertionError: assert add(1, 2) == 4`).
    at = 0
    for line in doc:
        while at < len(real) and not (real[at] == line or real[at].startswith(line + ": ")):
            at += 1
        assert at < len(real), (
            f"the README shows {line!r}, the terminal does not (in this order):\n{ran.stdout}"
        )
        at += 1


_BREAKDOWN = re.compile(
    r"^(\d+) cases? in \d+\.\d+ s: (\d+) failures?, (\d+) errors?, (\d+) skips?, (\d+) xfailed, (\d+) xpassed$"
)


def counted_module(
    failures: int, errors: int, skips: int, xfailed: int, xpassed: int, passed: int
) -> str:
    """A test module with exactly these outcomes."""
    text = "from thinking_tests import fixture, test\n\n@fixture\ndef broken():\n    raise OSError('no disk')\n"
    bodies = {
        "passes": ("@test", "pass"),
        "fails": ("@test", "assert False"),
        "errors": ("@test", "pass"),
        "skips": ("@test(skip='not here')", "pass"),
        "xfails": ("@test(xfail='bug 12')", "assert False"),
        "xpasses": ("@test(xfail='bug 13')", "pass"),
    }
    counts = {
        "passes": passed,
        "fails": failures,
        "errors": errors,
        "skips": skips,
        "xfails": xfailed,
        "xpasses": xpassed,
    }
    for kind, count in counts.items():
        decorator, body = bodies[kind]
        args = "broken" if kind == "errors" else ""
        for i in range(count):
            text += f"\n{decorator}\ndef {kind}_{i}({args}):\n    {body}\n"
    return text


@test("the README's last two lines of a run add up, and a run with those outcomes prints them")
def summary_lines() -> None:
    [block] = of_role("summary")
    doc = block.text.splitlines()
    assert len(doc) == 2, f"{block!r}: the breakdown line, then the summary line"
    match = _BREAKDOWN.match(doc[0])
    assert match, f"the README's breakdown line has not the real format: {doc[0]!r}"
    cases, failures, errors, skips, xfailed, xpassed = map(int, match.groups())
    summary = SUMMARY.match(doc[1])
    assert summary, doc[1]
    passed, failed, skipped = map(int, summary.groups())
    assert passed + failed + skipped == cases, doc
    assert failed == failures + errors and skipped == skips + xfailed, doc
    module = counted_module(failures, errors, skips, xfailed, xpassed, passed - xpassed)
    root = made(
        project({"test/__init__.py": "", "test/run_all.py": RUN_ALL, "test/test_counts.py": module})
    )
    ran = run("-m", "test.run_all", "--no-coverage", cwd=root)
    assert ran.code == (1 if failed else 0), ran
    real = ran.stdout.rstrip("\n").splitlines()[-2:]
    duration = re.compile(r" in \d+\.\d+ s: ")
    assert [duration.sub(" in T s: ", line) for line in real] == [
        duration.sub(" in T s: ", line) for line in doc
    ], ran


if __name__ == "__main__":
    run_current_module()
