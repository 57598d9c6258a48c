"""Training helpers: cross-validation folds that keep an occupation whole."""
import numpy as np

from gacp_analysis.coding.train import grouped_folds


def test_grouped_folds_keep_each_occupation_in_one_fold_and_balance_sizes():
    # Sizes: A=4, B=3, C=2, D=1, and two segments without an occupation.
    groups = ["A", "B", "A", "C", None, "A", "B", "D", "C", "A", "B", None]
    folds = grouped_folds(groups, 2, 0)
    assert sorted(np.concatenate(folds).tolist()) == list(range(12))
    for name in "ABCD":
        holders = [f for f, fold in enumerate(folds) if any(groups[i] == name for i in fold)]
        assert len(holders) == 1, name
    # Largest first to the emptier fold: A(4) | B(3) ; C(2) -> B's fold (3 < 4) ; D(1) -> 4 vs 5.
    named_sizes = sorted(sum(1 for i in fold if groups[i]) for fold in folds)
    assert named_sizes == [5, 5]
    # The two loose segments are dealt one to each fold.
    assert sorted(sum(1 for i in fold if groups[i] is None) for fold in folds) == [1, 1]


def test_grouped_folds_are_deterministic_for_a_seed():
    groups = [f"m{i % 7}" for i in range(40)]
    first = [f.tolist() for f in grouped_folds(groups, 5, 3)]
    again = [f.tolist() for f in grouped_folds(groups, 5, 3)]
    assert first == again
