"""How an engine is found by name: the built-in ones from their own table (never by reading
installed metadata), any other from the entry-point group `thinking_tests.engines`, and an
unknown or broken one refused in one sentence (exit 4)."""

from __future__ import annotations

import shutil
import tomllib
from importlib.metadata import EntryPoint

from test.engines._helpers import fake_distribution, run_with
from test.running._helpers import module, one_sentence, package, project
from test.support import REPO
from thinking_tests import run_current_module, test
from thinking_tests.engines import BUILTIN, GROUP, get_engine

CASES = {
    **package("test"),
    "test/test_a.py": module("""
        import sys

        @test
        def passes(): pass

        @test
        def reads_no_installed_metadata():
            # The engine was found and the settings checked before this case ran.
            assert "importlib.metadata" not in sys.modules
    """),
}


def _declared() -> dict[str, str]:
    text = (REPO / "pyproject.toml").read_text()
    return tomllib.loads(text)["project"]["entry-points"][GROUP]


@test("the built-in engines are declared in the entry-point group and load the very objects get_engine gives")
def declared_builtins() -> None:
    declared = _declared()
    assert declared == BUILTIN, declared
    for name, value in declared.items():
        loaded = EntryPoint(name, value, GROUP).load()
        assert loaded is get_engine(name), name


@test("a run on the built-in engine reads no installed distribution's metadata")
def builtin_without_scan() -> None:
    root = project(CASES)
    for args in ((), ("--backend", "unittest")):
        ran = run_with(None, "-m", "test.run_all", *args, cwd=root)
        assert ran.code == 0, ran
        assert ran.counts == (2, 0, 0), ran


@test(
    "an unknown engine is one sentence listing the installed ones, from each place it can be set",
    params=[
        ((("--backend", "nope")), "", "argument --backend: 'nope' is not an installed engine"),
        ((), "config.backend = 'nope'\n", "config.backend 'nope' is not an installed engine"),
        ((), None, "config.backend 'nope' is not an installed engine"),
    ],
    ids=["command line", "__test__.py", "pyproject.toml"],
)
def unknown_engine(args: tuple[str, ...], config: str | None, said: str) -> None:
    files = dict(CASES)
    if config is None:
        files["pyproject.toml"] = '[tool.thinking-tests]\nbackend = "nope"\n'
    root = project(files, config=config)
    site = fake_distribution("other-engine", {"other": "other_engine:run"}, {})
    try:
        ran = run_with(site, "-m", "test.run_all", *args, cwd=root)
    finally:
        shutil.rmtree(site)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert said in sentence, ran
    # The built-in engines first, then the installed ones (here at least the fake one).
    listed = sentence.partition("(installed: ")[2].partition(")")[0].split(", ")
    assert listed[:2] == ["unittest", "pytest"] and "other" in listed[2:], ran
    assert not (root / "reports" / "junit.xml").exists(), ran


@test("an engine whose module cannot be imported is one sentence naming it (exit 4)")
def broken_engine() -> None:
    root = project(CASES, config="config.backend = 'broken'\n")
    site = fake_distribution(
        "broken-engine", {"broken": "broken_engine:run"}, {"broken_engine.py": "import no_such_module\n"}
    )
    try:
        ran = run_with(site, "-m", "test.run_all", cwd=root)
    finally:
        shutil.rmtree(site)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    assert "config.backend 'broken' cannot be loaded from broken_engine:run" in sentence, ran
    assert "No module named 'no_such_module'" in sentence, ran


@test("an installed engine is listed after the built-in ones and resolves to what it declares")
def installed_listed() -> None:
    site = fake_distribution(
        "mine-engine", {"mine": "mine_engine:run"}, {"mine_engine.py": "def run(plan, runner, listener): pass\n"}
    )
    code = (
        "from thinking_tests.engines import get_engine, installed\n"
        "import mine_engine\n"
        "print(installed())\n"
        "print(get_engine('mine').__wrapped__ is mine_engine.run)\n"
    )
    try:
        ran = run_with(site, "-c", code, cwd=site)
    finally:
        shutil.rmtree(site)
    assert ran.code == 0, ran
    names, same = ran.stdout.splitlines()[-2:]
    assert names.startswith("['unittest', 'pytest', ") and "'mine'" in names, ran
    assert same == "True", ran


if __name__ == "__main__":
    run_current_module()
