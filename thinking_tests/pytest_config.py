"""pytest's settings for a project: its configuration file found and read as pytest does.

One reader serves a run (which files and names pytest collects, how an xfail ends) and
`init` (where the tests are: `testpaths`, `norecursedirs`, `--ignore` in `addopts`). The
file is the first of pytest's names, in its order, that holds pytest's section: a bytes
check finds it without parsing, and a run parses it only when it mentions a setting the run
reads, so a plain project never imports tomllib or configparser for this.
"""

from __future__ import annotations

import fnmatch
import os
from typing import TYPE_CHECKING

from thinking_tests.model import record

if TYPE_CHECKING:
    from collections.abc import Collection, Iterator

# pytest's configuration files in its order of precedence, with the bytes each must hold to
# be pytest's (the first four count even when empty).
_FILES = (
    ("pytest.toml", b""),
    (".pytest.toml", b""),
    ("pytest.ini", b""),
    (".pytest.ini", b""),
    ("pyproject.toml", b"[tool.pytest"),
    ("tox.ini", b"[pytest]"),
    ("setup.cfg", b"[tool:pytest]"),
)
_INI_SECTIONS = {"setup.cfg": "tool:pytest"}  # the others' section is [pytest]
_TRUE = frozenset({"true", "1", "yes", "y", "t", "on"})

DEFAULT_FILES = ("test_*.py", "*_test.py")
DEFAULT_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv", "{arch}")

# The settings a run reads while collecting; a file that mentions none of them is not parsed.
COLLECTING = (
    "python_files",
    "python_classes",
    "python_functions",
    "xfail_strict",
    "strict_xfail",
    "strict",
    "asyncio_mode",
    "collect_imported_tests",
)


# Without eq and repr (nothing compares or prints settings): each costs a run's start-up time.
@record(eq=False)
class PytestSettings:
    """The parts of a project's pytest configuration this package acts on."""

    source: str | None = None  # the configuration file's name; None: pytest's defaults
    python_files: tuple[str, ...] = DEFAULT_FILES
    python_classes: tuple[str, ...] = ("Test",)
    python_functions: tuple[str, ...] = ("test",)
    strict_xfail: bool = False
    asyncio_mode: str = "strict"
    collect_imported_tests: bool = True
    testpaths: tuple[str, ...] = ()
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSE
    ignore: tuple[str, ...] = ()  # --ignore paths of addopts, relative to the root
    ignore_glob: tuple[str, ...] = ()  # --ignore-glob patterns of addopts
    doctest_modules: bool = False  # --doctest-modules in addopts: every module is collected

    def is_test_file(self, path: str) -> bool:
        """Whether pytest collects this file when it walks a directory."""
        return any(fnmatch_ex(pattern, path) for pattern in self.python_files)

    def matches_class(self, name: str) -> bool:
        """Whether a class of this name is one pytest collects tests from (python_classes)."""
        return _name_matches(name, self.python_classes)

    def matches_function(self, name: str) -> bool:
        """Whether a function of this name is one pytest collects as a test (python_functions)."""
        return _name_matches(name, self.python_functions)


DEFAULT = PytestSettings()


def enters(folder: str, norecursedirs: tuple[str, ...] = DEFAULT_NORECURSE) -> bool:
    """Whether pytest's collection goes into `folder`: not a bytecode cache, not a folder a
    `norecursedirs` pattern names, not a virtual environment (venv or conda)."""
    if os.path.basename(folder) == "__pycache__":
        return False
    if any(fnmatch_ex(pattern, folder) for pattern in norecursedirs):
        return False
    return not (
        os.path.isfile(os.path.join(folder, "pyvenv.cfg"))
        or os.path.isfile(os.path.join(folder, "conda-meta", "history"))
    )


def fnmatch_ex(pattern: str, path: str) -> bool:
    """pytest's fnmatch_ex: a pattern without a separator matches the name, else the path."""
    if os.sep not in pattern and "/" not in pattern:
        return fnmatch.fnmatch(os.path.basename(path), pattern)
    if not os.path.isabs(pattern):
        pattern = "*" + os.sep + pattern
    return fnmatch.fnmatch(path, pattern)


def _name_matches(name: str, options: tuple[str, ...]) -> bool:
    """pytest's match of a function or class name: a prefix, or a glob when it looks like one."""
    for option in options:
        if name.startswith(option):
            return True
        if ("*" in option or "?" in option or "[" in option) and fnmatch.fnmatch(name, option):
            return True
    return False


def read_settings(
    directory: str, *, upward: bool = True, needed: Collection[str] | None = None
) -> PytestSettings:
    """The settings pytest would use for tests in `directory`, from the first configuration
    file there (and, when `upward`, in the folders above). With `needed`, a file that
    mentions none of those settings is not parsed: pytest's defaults serve."""
    for path, data in _candidates(directory, upward):
        if needed is not None and not any(key.encode() in data for key in needed):
            return DEFAULT
        options = _options(path, data)
        if options is None:
            continue  # not pytest's after all (its section only named in a comment)
        try:
            return _settings(os.path.basename(path), options)
        except ValueError:
            continue  # a setting pytest cannot split either: pytest reports it on its engine
    return DEFAULT


def _candidates(directory: str, upward: bool) -> Iterator[tuple[str, bytes]]:
    """(path, bytes) of each file that may be pytest's configuration, in pytest's order."""
    current = os.path.abspath(directory)
    while True:
        for name, marker in _FILES:
            path = os.path.join(current, name)
            if not os.path.isfile(path):
                continue
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            if marker in data:
                yield path, data
        parent = os.path.dirname(current)
        if not upward or parent == current:
            return
        current = parent


def _options(path: str, data: bytes) -> dict[str, object] | None:
    """The pytest options a configuration file holds; None when it has no pytest section,
    or is one pytest itself would refuse (pytest reports that on its engine)."""
    name = os.path.basename(path)
    try:
        return _toml_options(name, data) if name.endswith(".toml") else _ini_options(name, path, data)
    except Exception:  # noqa: BLE001 - any parse error means the same: not read
        return None


def _toml_options(name: str, data: bytes) -> dict[str, object] | None:
    import tomllib

    document = tomllib.loads(data.decode("utf-8"))
    if name != "pyproject.toml":
        table = document.get("pytest", {})  # pytest's own files: pytest's even when empty
        return dict(table) if isinstance(table, dict) else {}
    tool = document.get("tool", {}).get("pytest")
    if not isinstance(tool, dict) or not tool:
        return None  # pytest reads a pyproject.toml only with its table
    ini = tool.get("ini_options")
    return dict(ini if isinstance(ini, dict) else tool)


def _ini_options(name: str, path: str, data: bytes) -> dict[str, object] | None:
    import configparser

    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read_string(data.decode("utf-8"), source=path)
    section = _INI_SECTIONS.get(name, "pytest")
    if parser.has_section(section):
        return dict(parser.items(section))
    return {} if name in ("pytest.ini", ".pytest.ini") else None


def _settings(source: str, options: dict[str, object]) -> PytestSettings:
    ignore: list[str] = []
    ignore_glob: list[str] = []
    addopts = list(_words(options.get("addopts", "")))
    for index, option in enumerate(addopts):
        for flag, into in (("--ignore", ignore), ("--ignore-glob", ignore_glob)):
            if option == flag and index + 1 < len(addopts):
                into.append(addopts[index + 1])
            elif option.startswith(flag + "="):
                into.append(option.partition("=")[2])
    strict = _flag(options.get("strict_xfail", options.get("xfail_strict")))
    if strict is None:
        strict = bool(_flag(options.get("strict")))
    imported = _flag(options.get("collect_imported_tests"))

    def words(key: str) -> tuple[str, ...]:
        return _words(options[key]) if key in options else getattr(DEFAULT, key)

    return PytestSettings(
        source=source,
        python_files=words("python_files"),
        python_classes=words("python_classes"),
        python_functions=words("python_functions"),
        strict_xfail=strict,
        asyncio_mode=str(options.get("asyncio_mode", DEFAULT.asyncio_mode)).strip(),
        collect_imported_tests=True if imported is None else imported,
        testpaths=words("testpaths"),
        norecursedirs=words("norecursedirs"),
        ignore=tuple(ignore),
        ignore_glob=tuple(ignore_glob),
        doctest_modules="--doctest-modules" in addopts,
    )


def _words(value: object) -> tuple[str, ...]:
    """An "args" setting: a list as it is (TOML), or a string split like a shell line (INI)."""
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    import shlex

    return tuple(shlex.split(str(value)))


def _flag(value: object) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in _TRUE
