"""The configuration file: found by its three names and in parent folders; its mistakes exit 4."""

from __future__ import annotations

from test.running._helpers import module, one_sentence, package, project, run
from thinking_tests import run_current_module, test

CASES = {
    **package("test"),
    "test/test_a.py": module("@test\ndef a(): pass\n\n@test\ndef b(): pass"),
}
# The lines project() writes at the top of every __test__.py; the given text follows.
HEAD = 3


@test(
    "a wrong __test__.py stops the run: exit 4, one sentence naming the setting or the file",
    params=[
        ("config.backendd = 'pytest'\n", ["'config.backendd'"]),
        ("config.reports.junitxml = 'x.xml'\n", ["'config.reports.junitxml'"]),
        ("config.coverage.sources = ['calc']\n", ["'config.coverage.sources'"]),
        ("config.timeout = 'soon'\n", ["config.timeout", "str"]),
        ("config.coverage.source = 'calc'\n", ["config.coverage.source"]),
        ("config.backend = 'nose'\n", ["config.backend", "'nose'"]),
        ("config.reports.max_output = 10\n", ["config.reports.max_output"]),
        ("config.x = (\n", ["__test__.py", f":{HEAD + 1}", "syntax error"]),
        ("\nraise ValueError('nope')\n", ["__test__.py", f":{HEAD + 2}", "ValueError: nope"]),
        ("import sys\nsys.exit(2)\n", ["__test__.py", "SystemExit"]),
        ("import no_such_settings_module\n", ["__test__.py", "no_such_settings_module"]),
    ],
    ids=["unknown setting", "unknown report setting", "unknown coverage setting", "wrong type",
         "string for a list", "unknown backend", "too small", "syntax error", "exception",
         "sys.exit", "missing import"],
)
def wrong_config(text: str, named: list[str]) -> None:
    root = project(CASES, config=text)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 4, ran
    sentence = one_sentence(ran)
    for part in named:
        assert part in sentence, (part, sentence)
    assert not (root / "reports").exists(), "a refused run wrote reports"


@test(
    "every way of running refuses a wrong __test__.py the same way",
    params=[
        (("-m", "thinking_tests"),),
        (("-m", "thinking_tests", "--list"),),
        (("test/run_all.py",),),
        (("-m", "test.test_a"),),
    ],
    ids=["cli", "cli --list", "script", "one module"],
)
def refused_everywhere(args: tuple[str, ...]) -> None:
    ran = run(*args, cwd=project(CASES, config="config.backendd = 'pytest'\n"))
    assert ran.code == 4, ran
    assert "'config.backendd'" in one_sentence(ran), ran


@test("__test__.py, __tests__.py and __testing__.py are all found",
      params=["__test__.py", "__tests__.py", "__testing__.py"])
def config_names(name: str) -> None:
    settings = (
        "from thinking_tests import config\n"
        "config.coverage.enabled = False\n"
        "config.reports.directory = 'from-config'\n"
    )
    root = project({**CASES, name: settings}, config=None)
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 0, ran
    assert f"configured by {name}" in ran.stdout, ran
    assert (root / "from-config" / "junit.xml").is_file(), ran
    assert not (root / "reports").exists(), ran


@test("the nearest __test__.py of the folder the run starts from, or of its parents, is used")
def config_in_parent() -> None:
    root = project({"inner/" + path: text for path, text in CASES.items()},
                   config="config.reports.directory = 'parent-reports'\n")
    ran = run("-m", "test.run_all", cwd=root / "inner")
    assert ran.code == 0, ran
    assert f"configured by {root / '__test__.py'}" in ran.stdout, ran
    # Relative report paths resolve against the folder holding the configuration.
    assert (root / "parent-reports" / "junit.xml").is_file(), ran
    nearer = "from thinking_tests import config\nconfig.coverage.enabled = False\nconfig.reports.directory = 'near'\n"
    (root / "inner" / "__tests__.py").write_text(nearer)
    ran = run("-m", "test.run_all", cwd=root / "inner")
    assert ran.code == 0, ran
    assert "configured by __tests__.py" in ran.stdout, ran
    assert (root / "inner" / "near" / "junit.xml").is_file(), ran


@test("__test__.py is imported before any test module")
def config_comes_first() -> None:
    root = project({
        **package("test"),
        "test/test_early.py": module(
            """
            from thinking_tests import config

            SEEN = config.reports.directory  # read while the module is imported

            @test
            def saw_the_setting():
                assert SEEN == "early"
            """
        ),
    }, config="config.reports.directory = 'early'\n")
    for args in (("-m", "test.run_all"), ("-m", "thinking_tests", "test/test_early.py")):
        ran = run(*args, cwd=root)
        assert ran.code == 0, ran
        assert ran.counts == (1, 0, 0), ran


if __name__ == "__main__":
    run_current_module()
