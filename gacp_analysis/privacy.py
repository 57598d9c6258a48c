"""Pseudonyms, masking and consent: what may leave the group folder.

Inside speech, participants name each other and name patients, managers and
places. :class:`Masker` replaces every known name or alias of a speaker by
their pseudonym, every ``a_masquer`` string and the organisation by a neutral
mark; for quoted text (:meth:`Masker.quote`) it also masks the person names
the French NER model finds. It is the one place that decides what a real name
becomes in an export, and :func:`find_secrets` the one place that decides
whether a text still holds one (the audit uses it).

Whether a speaker may be quoted is decided by :func:`quotable_pseudonyms`:
participants whose ``consentement_citation`` is true, never a facilitator.
"""
from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .coding.pipeline import MODEL_NAME, load_ner_pipeline
from .corpus.group import Group

MASK = "[nom masqué]"
ORGANISATION_MASK = "[structure]"
NER_LABELS = frozenset({"PER"})
# Titles kept before a masked name: « Mme [nom masqué] ».
TITLES = frozenset({"m.", "mme", "mlle", "dr", "pr", "madame", "monsieur", "mademoiselle",
                    "docteur", "professeur"})


APOSTROPHES = "'\u2019\u02bc\u2018\u2032\u00b4`"
# Between the words of a name: spaces of any width, hyphens of any kind (« Jean‑Pierre » with
# a non-breaking hyphen, « Jean Pierre » said without one).
SEPARATORS = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_SEPARATOR_RE = f"[\\s{re.escape(SEPARATORS)}]+"
# Letters a transcript may write with or without their accent: « Hélène », « Helene », « HÉLÈNE ».
ACCENTS = {"a": "aàâä", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "c": "cç",
           "y": "yÿ", "n": "nñ"}
INITIALISM_MAX = 3  # « JP », « FLO » written in capitals: an initialism, matched in capitals only


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _key(text: str) -> str:
    """The same key for every spelling of a name: case, accents, apostrophes, hyphens, spaces."""
    text = _strip_accents(_fold(text)).casefold()
    text = re.sub(f"[{re.escape(APOSTROPHES)}]", "'", text)
    return " ".join(re.sub(_SEPARATOR_RE, " ", text).split())


@functools.lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """French words (lemmas of the spaCy model's lemmatizer tables), lower case, accents kept.

    A name that is also a word (« Claire », « Rose », « Pascal ») must be written with its
    capital to be a name; read from the installed model's files, without loading spaCy.
    Empty when the model is missing: every name is then matched in any case (the safe side).
    """
    spec = importlib.util.find_spec(MODEL_NAME)
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    import srsly

    words: set[str] = set()
    for root in spec.submodule_search_locations:
        for path in Path(root).glob("*/lemmatizer/lookups/lookups.bin"):
            tables = srsly.msgpack_loads(path.read_bytes())
            for lemmas in tables.get("lemma_index", {}).values():
                words.update(w.lower() for w in lemmas)
            for forms in tables.get("lemma_exc", {}).values():
                for form, lemmas in forms.items():
                    words.add(form.lower())
                    words.update(w.lower() for w in lemmas)
    return frozenset(words)


def is_common_word(word: str) -> bool:
    """« claire » (feminine of « clair »), « roses », « pascal »: a French word or its plural,
    feminine form."""
    word = _fold(word).lower()
    words = common_words()
    candidates = {word, word[:-1] if word.endswith(("e", "s", "x")) else word,
                  word[:-2] if word.endswith("es") else word}
    return any(len(w) > 1 and w in words for w in candidates)


def case_rule(word: str, *, alone: bool = True) -> str:
    """How one word of a name must be written in a text to be that name.

    ``"exact"``: an initialism written in capitals (« JP ») is a name in capitals only
    (« jp-icon », « jp » are not). ``"capital"``: a capitalised word that is also a French
    word (« Claire », « Rose ») is a name only with its capital (« CLAIRE », « Claire »; not
    « claire »); only for a name of one word (``alone``): « mairie de Valmorin » is still the
    « Mairie de Valmorin ». ``"any"``: every other name, in any case (« lucien » is Lucien).
    """
    letters = [c for c in word if c.isalpha()]
    if not letters or not any(c.isupper() for c in letters):
        return "any"
    if all(c.isupper() for c in letters) and len(letters) <= INITIALISM_MAX:
        return "exact"
    if alone and letters[0].isupper() and is_common_word(word):
        return "capital"
    return "any"


def _letter_class(char: str, *, upper_only: bool) -> str:
    base = _strip_accents(char.lower())
    variants = set(ACCENTS.get(base, char.lower())) | {char.lower()}
    cased = {v.upper() for v in variants}
    if not upper_only:
        cased |= variants
    chars = "".join(sorted(c for c in cased if len(c) == 1))
    return f"[{re.escape(chars)}]" if len(chars) > 1 else re.escape(chars)


def _word_pattern(word: str, *, alone: bool) -> str:
    rule = case_rule(word, alone=alone)
    out, first = [], True
    for char in word:
        if char in APOSTROPHES:
            out.append(f"[{re.escape(APOSTROPHES)}]")
        elif char.isalpha():
            out.append(_letter_class(char, upper_only=rule == "exact" or (rule == "capital"
                                                                           and first)))
            first = False
        else:
            out.append(re.escape(char))
    return "".join(out)


def _name_pattern(name: str) -> str:
    """A regex for a name as a whole word, as it may be spelled in a transcript.

    Words of the name may be separated by any spaces (no-break, thin) or hyphens (« Jean‑Pierre »
    with U+2011, « Jean Pierre »); apostrophes may be typographic (« N’Diaye »); accents may be
    missing or added; case follows :func:`case_rule`.
    """
    words = [w for w in re.split(_SEPARATOR_RE, _fold(name)) if w]
    body = _SEPARATOR_RE.join(_word_pattern(w, alone=len(words) == 1) for w in words)
    # A whole word: not inside a word, nor glued to one by a hyphen (« ja-JP », « JP-icon »).
    hyphens = re.escape(SEPARATORS)
    return rf"(?<!\w)(?<!\w[{hyphens}]){body}(?![{hyphens}]?\w)"


@dataclass
class Masker:
    """Replaces real names in free text.

    Args:
        group: the group whose names to mask.
        extra: further strings to mask (e.g. person names found by NER).
    """

    group: Group
    extra: tuple[str, ...] = ()
    _pattern: re.Pattern = field(init=False, repr=False)
    _replacement: dict[str, str] = field(init=False, repr=False)
    _keep: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        replacement: dict[str, str] = {}
        spellings: dict[str, None] = {}  # every name as written, each with its own case rule
        for speaker in self.group.speakers():
            for name in (speaker.label, *speaker.aliases):
                replacement[_key(name)] = speaker.pseudonym
                spellings[_fold(name)] = None
        for name in (*self.group.to_mask, *self.extra):
            replacement.setdefault(_key(name), MASK)
            spellings[_fold(name)] = None
        if not self.group.show_organisation and self.group.organisation:
            replacement[_key(self.group.organisation)] = ORGANISATION_MASK
            spellings[_fold(self.group.organisation)] = None
        # Longest first so « Nadia Benali » wins over « Nadia ».
        ordered = sorted(spellings, key=lambda n: (-len(_key(n)), n))
        self._replacement = replacement
        self._pattern = re.compile("|".join(_name_pattern(n) for n in ordered if _key(n)))
        # What masking itself writes: never a name to mask again.
        self._keep = frozenset(_key(s.pseudonym) for s in self.group.speakers())

    def __call__(self, text: str) -> str:
        """Return ``text`` with every known name replaced."""
        if not text:
            return text

        text = _fold(text)
        out, pos = [], 0
        for m in self._pattern.finditer(text):
            replacement = self._replacement.get(_key(m.group(0)), MASK)
            before = text[pos:m.start()]
            # « d’Hélène » -> « de Lise », not « d’Lise »: the elision follows the new word.
            if (len(before) >= 2 and before[-1] in APOSTROPHES and before[-2] in "dD"
                    and (len(before) == 2 or not before[-3].isalnum())
                    and _strip_accents(replacement[:1]).lower() not in "aeiouyh"):
                before = before[:-1] + "e "
            out += [before, replacement]
            pos = m.end()
        out.append(text[pos:])
        return "".join(out)

    def quote(self, text: str) -> str:
        """Mask a text about to be quoted: known names, then person names found by NER."""
        return self.quotes([text])[0]

    def quotes(self, texts: Iterable[str]) -> list[str]:
        """:meth:`quote` for many texts at once (one pass of the NER model)."""
        masked = [self(t) for t in texts]
        if not any(masked):
            return masked
        nlp = load_ner_pipeline()
        out = []
        for text, doc in zip(masked, nlp.pipe(masked, batch_size=64)):
            spans = [span for ent in doc.ents if ent.label_ in NER_LABELS
                     for span in self._name_runs(ent)]
            for start, end in sorted(spans, reverse=True):
                text = text[:start] + MASK + text[end:]
            out.append(text)
        return out

    def _name_runs(self, entity) -> list[tuple[int, int]]:
        """Character spans of the words of a PER entity that look like an unknown name.

        Spoken French fools the small model (« Ah ben ça » tagged as a person):
        only capitalised words that are not stop words, pseudonyms, titles or
        marks written by masking count; consecutive ones form one name.
        """
        runs: list[list] = []
        for token in entity:
            word = token.text
            is_name = (word[:1].isupper() and not token.is_stop and token.lower_ not in TITLES
                       and _key(word) not in self._keep)
            if not is_name:
                runs.append([])
            elif runs and runs[-1]:
                runs[-1].append(token)
            else:
                runs.append([token])
        return [(run[0].idx, run[-1].idx + len(run[-1].text)) for run in runs if run]

    def secrets(self) -> list[str]:
        """Every string that must never appear in an export (for audits)."""
        return group_secrets(self.group, extra=self.extra)


def group_secrets(group: Group, *, extra: Iterable[str] = ()) -> list[str]:
    """Every real name, alias, ``a_masquer`` string and (unless shown) the organisation."""
    out = [name for s in group.speakers() for name in (s.label, *s.aliases)]
    out += [*group.to_mask, *extra]
    if not group.show_organisation and group.organisation:
        out.append(group.organisation)
    seen: dict[str, str] = {}
    for name in out:
        seen.setdefault(_key(name), name)
    return list(seen.values())


def find_secrets(text: str, secrets: Iterable[str]) -> list[tuple[str, str]]:
    """The secrets present in a text, as (secret, excerpt around the first occurrence).

    Matching is as in masking: whole words, any case, any spacing.
    """
    text = _fold(text)
    found = []
    for secret in secrets:
        pattern = re.compile(_name_pattern(secret))
        m = pattern.search(text)
        if m:
            start, end = max(0, m.start() - 30), min(len(text), m.end() + 30)
            found.append((secret, " ".join(text[start:end].split())))
    return found


def quotable_pseudonyms(group: Group) -> frozenset[str]:
    """Pseudonyms of the people who may be quoted: consenting participants only.

    A facilitator is never quoted (their talk is the frame, not data about
    work); a participant is quoted only with citation and written-bilan consent
    in the register (:func:`gacp_analysis.confidentiality.consent.may_quote`).
    """
    from .confidentiality.consent import may_quote

    return frozenset(s.pseudonym for s in group.participants if may_quote(s))
