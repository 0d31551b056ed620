"""thinking-tests 0.0.4's `test_config` (deprecated): use `thinking_tests.config`.

`test_config` keeps nothing itself: each setting reads and writes `config` (see the table in
the README's "Migrating from 0.0.4"). Relative paths resolve against the repository root
(the folder of `__test__.py`), as in 0.0.4; None, or `... = False` on an `enabled` switch,
turns a report off.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from thinking_tests.config import ConfigError, config
from thinking_tests.deprecated import forward

PathSetting = str | os.PathLike[str] | None


def _root() -> Path:
    return config.source_file.parent if config.source_file is not None else Path.cwd()


def _absolute(value: PathSetting, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise ConfigError(f"test_config.{where} must be a path or None, not {type(value).__name__}")
    path = Path(os.fspath(value))
    return os.path.normpath(path if path.is_absolute() else _root() / path)


def _shown(name: PathSetting) -> str | None:
    """Where a report named `name` is written (under the report folder when relative)."""
    if name is None or not config.reports.enabled:
        return None
    return str(config.reports.path(name, _root()))


def _only_off(value: bool, where: str) -> None:
    if value is not False:
        raise ConfigError(
            f"test_config.{where} can only be set to False; give a path to turn a report on"
        )


def _patterns(value: str | Iterable[str] | None, where: str) -> list[str] | None:
    if value is None or isinstance(value, str):
        return None if value is None else [value]
    if not isinstance(value, Iterable):
        raise ConfigError(f"test_config.coverage.{where} must be a string, strings or None")
    return list(value)


class UnittestConfig:
    """Test reports: `xml_report_path` is config.reports.junit_xml, `html_report_path` is
    config.reports.html."""

    __test__ = False  # not a test class, whatever pytest makes of the name

    @property
    def xml_report_path(self) -> str | None:
        return _shown(config.reports.junit_xml)

    @xml_report_path.setter
    def xml_report_path(self, value: PathSetting) -> None:
        config.reports.junit_xml = _absolute(value, "unittest.xml_report_path")

    @property
    def html_report_path(self) -> str | None:
        return _shown(config.reports.html)

    @html_report_path.setter
    def html_report_path(self, value: PathSetting) -> None:
        config.reports.html = _absolute(value, "unittest.html_report_path")

    @property
    def enabled(self) -> bool:
        return self.xml_report_enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        _only_off(value, "unittest.enabled")
        config.reports.junit_xml = config.reports.html = None

    @property
    def xml_report_enabled(self) -> bool:
        return self.xml_report_path is not None

    @xml_report_enabled.setter
    def xml_report_enabled(self, value: bool) -> None:
        _only_off(value, "unittest.xml_report_enabled")
        config.reports.junit_xml = None

    @property
    def html_report_enabled(self) -> bool:
        return self.html_report_path is not None

    @html_report_enabled.setter
    def html_report_enabled(self, value: bool) -> None:
        _only_off(value, "unittest.html_report_enabled")
        config.reports.html = None


class CoverageConfig:
    """Coverage: `binary_report_path` is config.coverage.data_file (None turns coverage
    off), `xml_report_path` config.coverage.xml, `html_report_dir` config.coverage.html;
    `branch`, `include` and `omit` are coverage's own."""

    __test__ = False

    @property
    def binary_report_path(self) -> str | None:
        return _shown(config.coverage.data_file) if config.coverage.enabled else None

    @binary_report_path.setter
    def binary_report_path(self, value: PathSetting) -> None:
        if value is None:
            config.coverage.enabled = False
            return
        config.coverage.data_file = _absolute(value, "coverage.binary_report_path")  # type: ignore[assignment]
        config.coverage.enabled = True

    @property
    def xml_report_path(self) -> str | None:
        return _shown(config.coverage.xml) if config.coverage.enabled else None

    @xml_report_path.setter
    def xml_report_path(self, value: PathSetting) -> None:
        config.coverage.xml = _absolute(value, "coverage.xml_report_path")

    @property
    def html_report_dir(self) -> str | None:
        return _shown(config.coverage.html) if config.coverage.enabled else None

    @html_report_dir.setter
    def html_report_dir(self, value: PathSetting) -> None:
        config.coverage.html = _absolute(value, "coverage.html_report_dir")

    @property
    def branch(self) -> bool | None:
        return config.coverage.branch

    @branch.setter
    def branch(self, value: bool | None) -> None:
        config.coverage.branch = bool(value)

    @property
    def include(self) -> list[str] | None:
        return config.coverage.include

    @include.setter
    def include(self, value: str | Iterable[str] | None) -> None:
        config.coverage.include = _patterns(value, "include")

    @property
    def omit(self) -> list[str] | None:
        return config.coverage.omit

    @omit.setter
    def omit(self, value: str | Iterable[str] | None) -> None:
        config.coverage.omit = _patterns(value, "omit")

    @property
    def enabled(self) -> bool:
        return config.coverage.enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        _only_off(value, "coverage.enabled")
        config.coverage.enabled = False

    @property
    def binary_report_enabled(self) -> bool:
        return config.coverage.enabled

    @binary_report_enabled.setter
    def binary_report_enabled(self, value: bool) -> None:
        _only_off(value, "coverage.binary_report_enabled")
        config.coverage.enabled = False  # the other coverage reports are made from it

    @property
    def xml_report_enabled(self) -> bool:
        return self.xml_report_path is not None

    @xml_report_enabled.setter
    def xml_report_enabled(self, value: bool) -> None:
        _only_off(value, "coverage.xml_report_enabled")
        config.coverage.xml = None

    @property
    def html_report_enabled(self) -> bool:
        return self.html_report_dir is not None

    @html_report_enabled.setter
    def html_report_enabled(self, value: bool) -> None:
        _only_off(value, "coverage.html_report_enabled")
        config.coverage.html = None


class TestConfig:
    """0.0.4's `test_config`: `unittest` (test reports) and `coverage`."""

    __test__ = False
    unittest = UnittestConfig()
    coverage = CoverageConfig()


__getattr__ = forward(
    __name__,
    globals(),
    {"test_config": (TestConfig(), "thinking_tests.config (config.reports, config.coverage)")},
)
