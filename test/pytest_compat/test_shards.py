"""`--shard K/N` under both engines: durations balance the shards, a broken module is reported
in every shard (and once merged), and a wrong shard is a usage error."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from test.pytest_compat._helpers import junit_outcomes, package, project, run
from thinking_tests import fixture, run_current_module, test

MANY = """\
    import time

    from thinking_tests import test


    @test(params=list(range(24)))
    def quick(n):
        pass


    @test(params=[0, 1, 2])
    def slow(n):
        time.sleep(0.3)
"""

BROKEN = "import no_such_module_anywhere\n"
BROKEN_ID = "test.test_broken::<import>"


@fixture(scope="module")
def sharded() -> Path:
    root = project({**package("test"), "test/test_many.py": MANY, "test/test_broken.py": BROKEN})
    ran = run("-m", "test.run_all", cwd=root)
    assert ran.code == 1 and ran.counts == (27, 1, 0), ran
    shutil.copy(root / "reports" / "journal.jsonl", root / "durations.jsonl")
    return root


def shard_ids(root: Path, backend: str, *extra: str) -> list[dict[str, str]]:
    found = []
    for k in (1, 2, 3):
        directory = f"{backend}{''.join(extra)}-{k}".replace("/", "_").replace(".", "_")
        ran = run("-m", "thinking_tests", "test", "--backend", backend, "--shard", f"{k}/3",
                  "--report-dir", directory, *extra, cwd=root)
        assert ran.code == 1, ran  # the broken module is in every shard
        found.append(junit_outcomes(root / directory / "junit.xml"))
    return found


@test(
    "with an earlier run's durations each shard gets one of the three slow cases",
    params=[("unittest",), ("pytest",)],
    ids=["unittest", "pytest"],
)
def balanced(backend: str, sharded: Path) -> None:
    shards = shard_ids(sharded, backend, "--shard-durations", "durations.jsonl")
    slow = [sorted(i for i in shard if "::slow[" in i) for shard in shards]
    assert [len(s) for s in slow] == [1, 1, 1], slow
    cases = Counter(i for shard in shards for i in shard if i != BROKEN_ID)
    assert len(cases) == 27 and set(cases.values()) == {1}, cases
    # 24 quick cases dealt to the least loaded: as many in each shard (8 each).
    assert [len(shard) - 1 for shard in shards] == [9, 9, 9], [len(s) for s in shards]


@test(
    "a module that fails to import is an error in every shard, and once in the merged report",
    params=[("unittest",), ("pytest",)],
    ids=["unittest", "pytest"],
)
def broken_in_every_shard(backend: str, sharded: Path) -> None:
    shards = shard_ids(sharded, backend)
    assert all(shard.get(BROKEN_ID) == "error" for shard in shards), shards
    directories = [f"{backend}-{k}" for k in (1, 2, 3)]
    ran = run("-m", "thinking_tests", "merge", *directories, "--into", f"merged-{backend}", cwd=sharded)
    assert ran.code == 1, ran
    merged = junit_outcomes(sharded / f"merged-{backend}" / "junit.xml")
    assert len(merged) == 28 and merged[BROKEN_ID] == "error", merged
    assert ran.counts == (27, 1, 0), ran


@test(
    "a shard that does not exist is a usage error, in one sentence",
    params=[("4/3", "unittest"), ("0/3", "pytest"), ("one/3", "pytest")],
    ids=["4/3", "0/3", "one/3"],
)
def wrong_shard(spec: str, backend: str, sharded: Path) -> None:
    ran = run("-m", "thinking_tests", "test", "--backend", backend, "--shard", spec, cwd=sharded)
    assert ran.code == 4, ran
    assert "--shard" in ran.stderr and "Traceback" not in ran.stderr, ran


if __name__ == "__main__":
    run_current_module()
