"""Plain texts of sessions as other tools see them, and positions carried between texts.

A REFI-QDA selection is a pair of code point positions (0-based, end
exclusive) in a source's plain text. The store's positions are offsets into
the session's normalised text (turns joined by ``\\n``, no speaker labels, real
names as spoken). Two translations are needed:

- **export**: the exported text is the *pseudonymised* session (one line per
  turn, ``Pseudonyme : `` before speech, every turn through
  :class:`gacp_analysis.privacy.Masker`). Masking changes lengths (« Nadia »
  becomes « Ambre », « Mme Lefort » « [nom masqué] »), so each turn's offsets
  are carried through an :class:`Alignment` of the turn with its masked form.
- **import**: a source's text (ours after a round trip, or another tool's
  extraction of the transcript, with labels, timestamps, CRLF...) is aligned
  with the session text the same way, and selections are carried back.

An :class:`Alignment` matches the two texts word by word (tokens are runs of
word characters and single other non-space characters, emoji included). A
position inside a matched token keeps its offset in the token; a position in
a run of tokens with no counterpart (a name and its pseudonym, a label) moves
to the edge of the counterpart run: a selection *start* to the first token of
that run, an *end* to the end of its last token. A selection therefore never
cuts a pseudonym or a masked name in two, and one that starts on a real name
starts on its pseudonym.
"""
from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
# Gaps between the anchors of a whole-text alignment are aligned exactly when this small.
_GAP_LIMIT = 4_000_000


def _key(token: str) -> str:
    return unicodedata.normalize("NFC", token).casefold()


def _tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _matching_pairs(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Matched token index pairs (i, j), increasing in both.

    A first pass with difflib's popularity heuristic anchors on the rarer words
    (fast on a whole session); the gaps it leaves (frequent words such as « de »,
    « je ») are then aligned exactly.
    """
    pairs: list[tuple[int, int]] = []
    first = difflib.SequenceMatcher(None, a, b, autojunk=True).get_matching_blocks()
    ai = bj = 0
    for block in first:
        if block.a > ai and block.b > bj and (block.a - ai) * (block.b - bj) <= _GAP_LIMIT:
            gap = difflib.SequenceMatcher(None, a[ai:block.a], b[bj:block.b], autojunk=False)
            for sub in gap.get_matching_blocks():
                pairs.extend((ai + sub.a + k, bj + sub.b + k) for k in range(sub.size))
        pairs.extend((block.a + k, block.b + k) for k in range(block.size))
        ai, bj = block.a + block.size, block.b + block.size
    return pairs


class Alignment:
    """Carries positions of text ``a`` to positions of text ``b`` (see the module docstring)."""

    def __init__(self, a: str, b: str, *, skip_a: Sequence[tuple[int, int]] = ()) -> None:
        """Args:
            a, b: the two texts.
            skip_a: spans of ``a`` that are not text of ``b`` (speaker labels, timestamps):
                their tokens take no part in the alignment, so a selection starting on a
                label starts on the turn's first word.
        """
        self.a, self.b = a, b
        self.identity = a == b and not skip_a
        if self.identity:
            return
        self._ta, self._tb = _tokens(a), _tokens(b)
        if skip_a:
            starts = [s for s, _ in skip_a]
            def kept(tok):
                k = bisect.bisect_right(starts, tok[0]) - 1
                return k < 0 or tok[0] >= skip_a[k][1]
            self._ta = [t for t in self._ta if kept(t)]
        keys_a = [_key(a[s:e]) for s, e in self._ta]
        keys_b = [_key(b[s:e]) for s, e in self._tb]
        pairs = _matching_pairs(keys_a, keys_b)
        self._match = {i: j for i, j in pairs}
        self._matched_a = [i for i, _ in pairs]  # sorted
        self._starts_a = [s for s, _ in self._ta]
        self._ends_a = [e for _, e in self._ta]

    def _run(self, i: int) -> tuple[int, int, int | None]:
        """For an unmatched token i of ``a``: the range [j0, j1) of ``b`` tokens facing its run,
        and the token facing i itself when both runs have the same length (« Nadia » facing
        « Ambre », word for word), else None."""
        k = bisect.bisect_left(self._matched_a, i)
        i0 = self._matched_a[k - 1] + 1 if k > 0 else 0
        i1 = self._matched_a[k] if k < len(self._matched_a) else len(self._ta)
        j0 = self._match[self._matched_a[k - 1]] + 1 if k > 0 else 0
        j1 = self._match[self._matched_a[k]] if k < len(self._matched_a) else len(self._tb)
        facing = j0 + (i - i0) if i1 - i0 == j1 - j0 else None
        return j0, j1, facing

    def start(self, p: int) -> int:
        """Where a selection starting at ``p`` in ``a`` starts in ``b``."""
        if self.identity:
            return p
        i = bisect.bisect_right(self._ends_a, p)  # first token ending after p
        if i >= len(self._ta):
            return len(self.b)
        offset = max(0, p - self._ta[i][0])  # in a separator: the next token's start
        j = self._match.get(i)
        if j is None:
            j0, j1, j = self._run(i)
        if j is not None:
            s, e = self._tb[j]
            return min(s + offset, e - 1)
        if j0 < j1:
            return self._tb[j0][0]
        return self._tb[j1][0] if j1 < len(self._tb) else len(self.b)

    def end(self, p: int) -> int:
        """Where a selection ending at ``p`` (exclusive) in ``a`` ends in ``b``."""
        if self.identity:
            return p
        if p <= 0:
            return 0
        q = p - 1  # the last character selected
        i = bisect.bisect_right(self._starts_a, q) - 1  # last token starting at or before q
        if i < 0:
            return 0
        q = min(q, self._ta[i][1] - 1)  # in a separator: the previous token's end
        j = self._match.get(i)
        if j is None:
            j0, j1, j = self._run(i)
        if j is not None:
            s, e = self._tb[j]
            return min(s + (q - self._ta[i][0]) + 1, e)
        if j0 < j1:
            return self._tb[j1 - 1][1]
        return self._tb[j0 - 1][1] if j0 > 0 else 0

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """A selection of ``a`` carried to ``b``; None when nothing of it faces ``b``."""
        s, e = self.start(start), self.end(end)
        return (s, e) if s < e else None


@dataclass(frozen=True)
class TurnText:
    """One turn of a session: where it is in the store's text and in the exported text."""

    index: int
    kind: str
    speaker: str | None
    start: int  # offsets into the session text
    end: int
    line_start: int  # offset of the line in the exported text
    body_start: int  # offset of the turn's (masked) words in the exported text
    alignment: Alignment


@dataclass(frozen=True)
class RenderedSession:
    """A session's pseudonymised plain text and the map from store offsets to it."""

    text: str
    turns: tuple[TurnText, ...]

    def _turn(self, p: int) -> TurnText:
        starts = [t.start for t in self.turns]
        return self.turns[max(0, bisect.bisect_right(starts, p) - 1)]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Session-text offsets [start, end) of a segment or span -> exported-text positions."""
        first, last = self._turn(start), self._turn(max(start, end - 1))
        s = first.body_start + first.alignment.start(start - first.start)
        e = last.body_start + last.alignment.end(min(end, last.end) - last.start)
        return s, max(s, e)


def label_prefix(pseudonym: str) -> str:
    """What precedes a speech turn in the exported text: « Ambre : »."""
    return f"{pseudonym} : "


def render_session(turns: Sequence, mask: Callable[[str], str]) -> RenderedSession:
    """The pseudonymised plain text of a session, one line per turn.

    Args:
        turns: the session's turns in order, with ``idx, kind, pseudonym, start, end, text``
            (store rows or objects with those attributes or keys).
        mask: the group's masker (real names -> pseudonyms, masked strings -> marks).
    """
    lines, out, offset = [], [], 0
    for turn in turns:
        get = turn.__getitem__ if hasattr(turn, "keys") else lambda k, t=turn: getattr(t, k)
        text = get("text")
        masked = mask(text)
        prefix = label_prefix(get("pseudonym")) if get("kind") == "speech" and get("pseudonym") else ""
        line = prefix + masked
        out.append(TurnText(index=get("idx"), kind=get("kind"), speaker=get("pseudonym"),
                            start=get("start"), end=get("end"), line_start=offset,
                            body_start=offset + len(prefix), alignment=Alignment(text, masked)))
        lines.append(line)
        offset += len(line) + 1
    return RenderedSession(text="\n".join(lines), turns=tuple(out))
