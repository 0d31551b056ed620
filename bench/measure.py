"""One child run: its wall time, its own peak RSS, its exit code and output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

REPO = Path(__file__).resolve().parent.parent
_LAUNCHER = Path(__file__).resolve().parent / "_launcher.py"

# Variables a surrounding run or shell may have set that change how fast a child runs or
# what it does; children run without them, with the interpreter's defaults.
_DROPPED = frozenset({
    "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "PYTHONDEVMODE",
    "PYTHONMALLOC", "PYTHONTRACEMALLOC", "PYTHONPROFILEIMPORTTIME", "PYTHONFAULTHANDLER",
    "PYTHONWARNINGS", "PYTHONOPTIMIZE", "PYTHONVERBOSE", "PYTHONDEBUG", "PYTHONINSPECT",
    "PYTHONASYNCIODEBUG", "PYTHONIOENCODING", "PYTHONSTARTUP", "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
})
# Coverage of subprocesses and a thinking-tests run's own hand-offs to its children.
_DROPPED_PREFIXES = ("COVERAGE_", "THINKING_TESTS_")


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, from start to reaped
    rss_mib: float  # the child's own peak resident set size
    code: int  # exit code; negative: killed by that signal
    output: str  # stdout, then stderr


def snapshot(into: Path) -> Path:
    """A copy of this checkout's thinking_tests and templates, taken when the run starts.

    A run takes many minutes and the checkout may change meanwhile; every child (and the
    report timing) uses this copy, so all rows of one run measure the same code.
    """
    root = into / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "thinking_tests", root / "thinking_tests", ignore=ignore)
    if (REPO / "templates").is_dir():
        shutil.copytree(REPO / "templates", root / "templates", ignore=ignore)
    return root


def child_env(source: Path = REPO) -> dict[str, str]:
    """The environment of every child: `source` (the checkout or its snapshot) first on the path."""
    env = {k: v for k, v in os.environ.items()
           if k not in _DROPPED and not k.startswith(_DROPPED_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(source), os.environ.get("PYTHONPATH")) if p)
    env["COLUMNS"] = "80"  # one terminal width for every tool that asks
    return env


def _mib(max_rss: int) -> float:
    # ru_maxrss is KiB on Linux and bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return max_rss * scale / (1024 * 1024)


class Launcher:
    """Runs `python ARGS` children with this interpreter, from a small helper process.

    The helper measures each child: wall time around Popen + os.wait4, and the ru_maxrss
    that os.wait4 gives for that one child (RUSAGE_CHILDREN would give the largest peak of
    every child so far).
    """

    def __init__(self, env: dict[str, str]) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-S", "-E", str(_LAUNCHER)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def run(self, args: list[str], cwd: Path, timeout: float = 900.0) -> Run:
        out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
        fields = [str(timeout), str(cwd), str(out_path), str(err_path), sys.executable, *args]
        if any("\0" in f or "\n" in f for f in fields):
            raise ValueError(f"a path or argument holds a NUL or newline: {fields!r}")
        stdin, stdout = self._process.stdin, self._process.stdout
        assert stdin is not None and stdout is not None
        stdin.write("\0".join(fields) + "\n")
        stdin.flush()
        answer = stdout.readline()
        if not answer:
            raise RuntimeError("the launcher of the benchmark's children stopped")
        wall, code, max_rss = answer.split()
        output = out_path.read_text("utf-8", "replace") + err_path.read_text("utf-8", "replace")
        out_path.unlink()
        err_path.unlink()
        return Run(wall=float(wall), rss_mib=_mib(int(max_rss)), code=int(code), output=output)

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

