"""Loading settings: `[tool.thinking-tests]` in pyproject.toml, then `__test__.py`, which wins.

Both live at the repository root: the directory the run starts from, or its nearest parent
that holds a `__test__.py` (or, without one, a pyproject.toml with a thinking-tests table).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from thinking_tests.config import ConfigError, config, find_config_file, validate

_loaded: set[Path] = set()


def find_pyproject(start: Path, config_file: Path | None) -> Path | None:
    """The pyproject.toml beside __test__.py, or the nearest one with [tool.thinking-tests]."""
    if config_file is not None:
        candidate = config_file.parent / "pyproject.toml"
        return candidate if candidate.is_file() else None
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        # The bytes first (cheap, and most pyproject.toml files are not ours), then the TOML:
        # the table may be spelled inline, with dotted keys or a quoted name.
        if candidate.is_file() and b"thinking-tests" in candidate.read_bytes():
            try:
                if _table(candidate) is not None:
                    return candidate
            except ConfigError:
                return candidate  # mentions us but cannot be read: applying it says why
    return None


def _table(file: Path) -> object:
    """`tool.thinking-tests` of a pyproject.toml read as TOML, or None when it has none."""
    import tomllib

    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{file} cannot be read: {error}") from None
    tool = data.get("tool")
    return tool.get("thinking-tests") if isinstance(tool, dict) else None


def apply_pyproject(file: Path) -> None:
    """Apply the plain settings of `[tool.thinking-tests]`; false or "" turns a report off."""
    table = _table(file)
    if table is None:
        return
    where = f"{file} [tool.thinking-tests]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    try:
        _apply(config, table, "config")
        validate(config)  # a wrong value is named with this file, not with __test__.py
    except ConfigError as error:
        raise ConfigError(f"{error} (in {where})") from None


def _apply(target: Any, table: dict[str, Any], prefix: str) -> None:
    from dataclasses import fields, is_dataclass

    known = [f.name for f in fields(target) if f.name not in ("aspects", "source_file")]
    for key, value in table.items():
        name = key.replace("-", "_")
        if name in ("aspects", "source_file"):
            raise ConfigError(f"{prefix}.{name} can only be set in __test__.py")
        # Only the declared settings: a key such as `__class__` must never reach getattr.
        if name not in known:
            raise ConfigError(f"unknown setting '{prefix}.{key}' (known: {', '.join(known)})")
        if isinstance(value, dict) and not isinstance(getattr(target, name), dict):
            current = getattr(target, name)
            if not is_dataclass(current) or isinstance(current, type):
                raise ConfigError(f"'{prefix}.{name}' is a setting, not a table of settings")
            _apply(current, value, f"{prefix}.{name}")
            continue
        if value is False and name not in ("enabled", "branch", "capture"):
            value = None  # TOML has no null: false turns a report or a limit off
        setattr(target, name, value)


def locate(start: Path) -> tuple[Path | None, Path | None]:
    """(__test__.py, pyproject.toml) of the run's repository root, without importing anything."""
    start = start.resolve()
    file = find_config_file(start)
    return file, find_pyproject(start, file)


def load_config(start: Path) -> Path | None:
    """Apply pyproject.toml's settings, then import __test__.py; once per process."""
    file, pyproject = locate(start)
    load_pyproject(pyproject)
    load_config_file(file)
    return file


def load_pyproject(pyproject: Path | None) -> None:
    if pyproject is not None and pyproject not in _loaded:
        _loaded.add(pyproject)
        apply_pyproject(pyproject)


def load_config_file(file: Path | None) -> None:
    if file is not None and file not in _loaded:
        _loaded.add(file)
        import_config_file(file)


def import_config_file(file: Path) -> None:
    """Import __test__.py; whatever goes wrong becomes one sentence naming the file."""
    config.source_file = file
    spec = importlib.util.spec_from_file_location("__test__", file)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{file} cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules["__test__"] = module
    from thinking_tests.shadowing import RootImportable

    try:
        with RootImportable(file.parent):  # `from test.x import y` finds the project's test
            spec.loader.exec_module(module)
    except ConfigError as error:
        raise ConfigError(f"{error} (in {file}:{_line_in(error, file)})") from None
    except SyntaxError as error:
        raise ConfigError(f"{file}:{error.lineno}: syntax error: {error.msg}") from None
    except BaseException as error:
        if isinstance(error, KeyboardInterrupt):
            raise
        try:
            message = str(error).strip().splitlines()
        except Exception:  # an exception whose str() raises still gets its sentence
            message = []
        detail = f": {message[0]}" if message else ""
        from thinking_tests.shadowing import stdlib_test_hint

        hint = stdlib_test_hint(error, file.parent)
        raise ConfigError(
            f"{file}:{_line_in(error, file)} raised {type(error).__name__}{detail}"
            + (f"; {hint}" if hint else "")
        ) from None


def _line_in(error: BaseException, file: Path) -> int:
    line = 0
    tb = error.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def turns_coverage_off(file: Path | None) -> bool:
    """Whether __test__.py plainly says `config.coverage.enabled = False` at its top level.

    Read, not run: coverage starts before __test__.py is imported, and starting it only to
    throw it away costs a run more than everything else at start-up.
    """
    if file is None:
        return False
    import ast

    try:
        tree = ast.parse(file.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return False  # importing it will say what is wrong
    off = False
    for node in tree.body:  # the last plain assignment decides, as it does when run
        if not isinstance(node, ast.Assign) or len(node.targets) != 1:
            continue
        target = ast.unparse(node.targets[0])
        if target in _COVERAGE_SWITCHES:
            off = isinstance(node.value, ast.Constant) and node.value.value is _COVERAGE_SWITCHES[target]
    return off


# What turns coverage off, by the setting assigned; 0.0.4's test_config spellings too.
_COVERAGE_SWITCHES: dict[str, object] = {
    "config.coverage.enabled": False,
    "test_config.coverage.enabled": False,
    "test_config.coverage.binary_report_enabled": False,
    "test_config.coverage.binary_report_path": None,
}
