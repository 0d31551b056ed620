"""`--shard K/N` under both engines: durations balance the shards, a broken module is reported
in every shard (and once merged), and a wrong shard is a usage error."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from test.pytest_compat._helpers import junit_outcomes, package, project, run
from thinking_tests import fixture, run_current_module, test
from thinking_tests.select import durations_from

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
    """Each shard's JUnit outcomes; the reports of shard K are in BACKEND-K."""
    found = []
    for k in (1, 2, 3):
        directory = f"{backend}-{k}"
        ran = run("-m", "thinking_tests", "test", "--backend", backend, "--shard", f"{k}/3",
                  "--report-dir", directory, *extra, cwd=root)
        assert ran.code == 1, ran  # the broken module is in every shard
        found.append(junit_outcomes(root / directory / "junit.xml"))
    return found


@test(
    "shards by an earlier run's durations: one slow case each, the broken module in all, merged once",
    params=[("unittest",), ("pytest",)],
    ids=["unittest", "pytest"],
)
def balanced(backend: str, sharded: Path) -> None:
    shards = shard_ids(sharded, backend, "--shard-durations", "durations.jsonl")
    slow = [sorted(i for i in shard if "::slow[" in i) for shard in shards]
    assert [len(s) for s in slow] == [1, 1, 1], slow
    assert all(shard.get(BROKEN_ID) == "error" for shard in shards), shards
    cases = Counter(i for shard in shards for i in shard if i != BROKEN_ID)
    assert len(cases) == 27 and set(cases.values()) == {1}, cases
    # Longest first to the least loaded shard: the loads differ by one case's duration at most.
    durations = durations_from(str(sharded / "durations.jsonl"))
    loads = [sum(durations[i] for i in shard if i != BROKEN_ID) for shard in shards]
    assert max(loads) - min(loads) <= max(durations.values()), loads
    ran = run("-m", "thinking_tests", "merge", *(f"{backend}-{k}" for k in (1, 2, 3)),
              "--into", f"merged-{backend}", cwd=sharded)
    assert ran.code == 1, ran
    merged = junit_outcomes(sharded / f"merged-{backend}" / "junit.xml")
    assert len(merged) == 28 and merged[BROKEN_ID] == "error", merged
    assert ran.counts == (27, 1, 0), ran


@test(
    "a shard that does not exist is a usage error, in one sentence",
    params=[("4/3", "unittest"), ("one/3", "pytest")],
    ids=["4/3", "one/3"],
)
def wrong_shard(spec: str, backend: str, sharded: Path) -> None:
    ran = run("-m", "thinking_tests", "test", "--backend", backend, "--shard", spec, cwd=sharded)
    assert ran.code == 4, ran
    assert "--shard" in ran.output and "Traceback" not in ran.output, ran
    assert len(ran.output.strip().splitlines()) == 1, ran


if __name__ == "__main__":
    run_current_module()
