"""Training helpers: grouped folds, thresholds, the linear model against scikit-learn, saving."""
import numpy as np
import pytest

from gacp_analysis.coding.model import LinearModel
from gacp_analysis.coding.train import choose_thresholds, fit_with_thresholds, grouped_folds


def test_grouped_folds_keep_each_occupation_in_one_fold_and_balance_sizes():
    # Sizes: A=4, B=3, C=2, D=1, and two segments without an occupation.
    groups = ["A", "B", "A", "C", None, "A", "B", "D", "C", "A", "B", None]
    folds = grouped_folds(groups, 2)
    assert sorted(np.concatenate(folds).tolist()) == list(range(12))
    for name in "ABCD":
        holders = [f for f, fold in enumerate(folds) if any(groups[i] == name for i in fold)]
        assert len(holders) == 1, name
    # Largest first to the emptier fold: A(4) | B(3) ; C(2) -> B's fold (3 < 4) ; D(1) -> 4 vs 5.
    named_sizes = sorted(sum(1 for i in fold if groups[i]) for fold in folds)
    assert named_sizes == [5, 5]
    # The two loose segments (each a group of its own) are dealt one to each fold.
    assert sorted(sum(1 for i in fold if groups[i] is None) for fold in folds) == [1, 1]


def test_grouped_folds_are_deterministic_and_need_two_groups():
    groups = [f"m{i % 7}" for i in range(40)]
    assert [f.tolist() for f in grouped_folds(groups, 5)] == [f.tolist() for f in grouped_folds(groups, 5)]
    assert len(grouped_folds(["A", "A", "B", "B"], 5)) == 2  # one fold per group
    with pytest.raises(ValueError):
        grouped_folds(["A", "A"], 2)


def test_choose_thresholds_by_hand():
    proba = np.array([[0.9, 0.6], [0.7, 0.6], [0.3, 0.1], [0.1, 0.1]], dtype=np.float32)
    labels = [{"a"}, {"a"}, set(), {"b"}]
    # a: t = 0.2 .. 0.3 keep 0.3 too (F1 0.8); 0.35 .. 0.7 give F1 1 -> lowest 0.35,
    #    pulled halfway to 0.5: 0.425.
    # b: its only positive has 0.1 < every threshold: F1 0 everywhere -> the first, 0.2 -> 0.35.
    assert choose_thresholds(proba, labels, ["a", "b"]).tolist() == pytest.approx([0.425, 0.35])


def synthetic(n=120, seed=0):
    """Segments whose code « a » follows the word « x », « b » the word « y », plus noise."""
    rng = np.random.default_rng(seed)
    feats, labels, groups = [], [], []
    for i in range(n):
        words = {f"l:w{j}" for j in rng.choice(12, 3, replace=False)} | {"biais"}
        lab = set()
        if rng.random() < 0.4:
            words.add("l:x")
            lab.add("a") if rng.random() < 0.9 else None
        if rng.random() < 0.3:
            words.add("l:y")
            lab.add("b")
        feats.append(words)
        labels.append(lab)
        groups.append(f"metier{i % 6}")
    return feats, [[] for _ in feats], labels, groups


def test_linear_model_reaches_scikit_learns_logistic_regression():
    """Our full-batch Adam minimises the weighted, L2-penalised log-loss that scikit-learn's
    LogisticRegression solves exactly (C = 1 / (n * l2), the same sample weights)."""
    from sklearn.linear_model import LogisticRegression

    feats, dense, labels, _ = synthetic()
    codes = ["a", "b"]
    l2 = 3e-3
    model = LinearModel.fit(codes, feats, dense, labels, epochs=3000, l2=l2, min_count=2)
    x = model.matrix(feats, dense)
    ours = model.proba(feats, dense)
    for j, code in enumerate(codes):
        y = np.array([code in lab for lab in labels], dtype=int)
        pos = y.sum()
        weight = np.clip((len(y) - pos) / max(pos, 1), 1.0, 4.0)
        sk = LogisticRegression(C=1.0 / (len(y) * l2), fit_intercept=False, tol=1e-10,
                                max_iter=10_000).fit(x, y, sample_weight=1.0 + y * (weight - 1.0))
        assert np.abs(ours[:, j] - sk.predict_proba(x)[:, 1]).max() < 0.01, code


def test_training_saving_and_loading(tmp_path):
    feats, dense, labels, groups = synthetic()
    model = fit_with_thresholds(["a", "b"], feats, dense, labels, groups, meta={"essai": 1})
    # The codes follow their words: the model gives « a » to x-segments and « b » to y-segments.
    proba = model.proba([{"biais", "l:x"}, {"biais", "l:y"}, {"biais"}], [[], [], []])
    given = proba >= model.thresholds
    assert given.tolist() == [[True, False], [False, True], [False, False]]
    assert all(0.35 <= t <= 0.65 for t in model.thresholds)  # pulled halfway to 0.5
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = LinearModel.load(path)
    assert loaded.codes == ["a", "b"] and loaded.vocab == model.vocab
    assert loaded.meta == {"essai": 1}
    assert loaded.thresholds.tolist() == model.thresholds.tolist()
    # Weights are stored as float16: probabilities agree to the third decimal.
    assert np.abs(loaded.proba(feats, dense) - model.proba(feats, dense)).max() < 2e-3
    # Deterministic: the same data gives the same model.
    again = fit_with_thresholds(["a", "b"], feats, dense, labels, groups, meta={"essai": 1})
    assert np.array_equal(again.weights, model.weights)
    assert np.array_equal(again.thresholds, model.thresholds)


def test_unreadable_model_names_the_file(tmp_path):
    from gacp_analysis.errors import GacpError

    path = tmp_path / "m.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(GacpError, match="E211") as info:
        LinearModel.load(path)
    assert str(path) in str(info.value)


def test_out_of_fold_encoder_reads_each_segment_s_own_row(tmp_path):
    from gacp_analysis.coding.encoder import EmbeddingCache, Encoder, Head
    from gacp_analysis.coding.encoder_input import encoder_input
    from gacp_analysis.coding.train import OutOfFoldEncoder

    segments = [("on était deux au lieu de trois", None),
                ("moi aussi", "on était deux au lieu de trois"),
                ("j'ai tenu", None)]
    keys = [EmbeddingCache.key(encoder_input(t, p)) for t, p in segments]
    proba = np.array([[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]], dtype=np.float32)
    np.savez(tmp_path / "hors-pli.npz", keys=np.array(keys), proba=proba)
    Head(["a", "b"], np.zeros((384, 2), dtype=np.float32), np.zeros(2, dtype=np.float32),
         np.array([0.3, 0.6], dtype=np.float32)).save(tmp_path / "head.npz")
    enc = OutOfFoldEncoder(Encoder(tmp_path), tmp_path / "hors-pli.npz")
    assert enc.codes == ["a", "b"] and enc.thresholds.tolist() == pytest.approx([0.3, 0.6])
    # asked in another order, each segment (text and the turn it answers) gets its own row;
    # « moi aussi » alone is another input than « moi aussi » answering a turn
    got = enc.proba(["j'ai tenu", "moi aussi"], [None, "on était deux au lieu de trois"])
    assert got.tolist() == [[0.5, 0.5], [pytest.approx(0.8), pytest.approx(0.2)]]
    with pytest.raises(ValueError, match="^1 segments absents des probabilités hors pli"):
        enc.proba(["moi aussi"], [None])
