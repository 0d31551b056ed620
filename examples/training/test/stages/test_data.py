"""Stage 1: making, saving, loading and splitting the data set."""

from __future__ import annotations

from pathlib import Path

from thinking_tests import run_current_module, test

from test.stages import fixtures  # noqa: F401  (registers `dataset` and `splits`)
from trainer.data import Dataset, load_dataset, make_dataset, save_dataset, split


def ids_of(part: Dataset, whole: Dataset) -> list[int]:
    """Where each row of `part` sits in `whole` (the rows are distinct floats)."""
    position = {row: i for i, row in enumerate(whole.features)}
    return [position[row] for row in part.features]


@test("the same seed makes the same data set; another seed another one")
def makes_data_deterministically() -> None:
    assert make_dataset(50, seed=3) == make_dataset(50, seed=3)
    assert make_dataset(50, seed=3) != make_dataset(50, seed=4)


@test
def has_both_classes(dataset: Dataset) -> None:
    assert len(dataset) == 400 and dataset.n_features == 3
    assert 0.25 < dataset.positive_rate() < 0.75


@test("a split by seed is the same every time, and another seed shuffles differently")
def splits_deterministically(dataset: Dataset) -> None:
    first = split(dataset, 0.25, seed=1)
    again = split(dataset, 0.25, seed=1)
    other = split(dataset, 0.25, seed=2)
    assert first == again
    assert ids_of(first[1], dataset) != ids_of(other[1], dataset)


@test(
    params=[(0.1, 40), (0.25, 100), (0.5, 200)],
    ids=["tenth", "quarter", "half"],
)
def splits_without_overlap(fraction: float, n_validation: int, dataset: Dataset) -> None:
    train_set, validation_set = split(dataset, fraction, seed=0)
    assert len(validation_set) == n_validation
    train_ids, validation_ids = ids_of(train_set, dataset), ids_of(validation_set, dataset)
    assert not set(train_ids) & set(validation_ids)
    assert sorted(train_ids + validation_ids) == list(range(len(dataset)))


@test(params=[0.0, 1.0, -0.5, 1.5])
def refuses_a_bad_fraction(fraction: float, dataset: Dataset) -> None:
    try:
        split(dataset, fraction)
    except ValueError as error:
        assert "validation_fraction" in str(error)
    else:
        raise AssertionError(f"split accepted validation_fraction={fraction}")


@test
def package_fixture_is_shared(splits: tuple[Dataset, Dataset], dataset: Dataset) -> None:
    train_set, validation_set = splits
    assert len(train_set) + len(validation_set) == len(dataset)


@test("save then load gives back the same data set, float for float")
def round_trips_through_csv(tmp_path: Path) -> None:
    original = make_dataset(25, n_features=2, seed=11)
    path = tmp_path / "nested" / "data.csv"
    save_dataset(original, path)
    assert path.read_text().splitlines()[0] == "x0,x1,label"
    assert load_dataset(path) == original
    assert not list(path.parent.glob("*.partial"))


@test
def refuses_a_file_that_is_no_data_set(tmp_path: Path) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("name,age\nada,36\n")
    try:
        load_dataset(path)
    except ValueError as error:
        assert "last column must be 'label'" in str(error)
    else:
        raise AssertionError("load_dataset accepted a file without a label column")


if __name__ == "__main__":
    run_current_module()
