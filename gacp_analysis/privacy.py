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

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .coding.pipeline import load_ner_pipeline
from .corpus.group import Group

MASK = "[nom masqué]"
ORGANISATION_MASK = "[structure]"
NER_LABELS = frozenset({"PER"})
# Titles kept before a masked name: « Mme [nom masqué] ».
TITLES = frozenset({"m.", "mme", "mlle", "dr", "pr", "madame", "monsieur", "mademoiselle",
                    "docteur", "professeur"})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _key(text: str) -> str:
    return " ".join(_fold(text).casefold().split())


def _name_pattern(name: str) -> str:
    """A regex for a name as a whole word, tolerant of spacing and apostrophes."""
    parts = [re.escape(p) for p in name.split()]
    body = r"\s+".join(parts)
    return rf"(?<![\w]){body}(?![\w])"


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
        for speaker in self.group.speakers():
            for name in (speaker.label, *speaker.aliases):
                replacement[_key(name)] = speaker.pseudonym
        for name in (*self.group.to_mask, *self.extra):
            replacement.setdefault(_key(name), MASK)
        if not self.group.show_organisation and self.group.organisation:
            replacement[_key(self.group.organisation)] = ORGANISATION_MASK
        # Longest first so « Nadia Benali » wins over « Nadia ».
        names = sorted(replacement, key=len, reverse=True)
        self._replacement = replacement
        self._pattern = re.compile("|".join(_name_pattern(n) for n in names), re.IGNORECASE)
        # What masking itself writes: never a name to mask again.
        self._keep = frozenset(_key(s.pseudonym) for s in self.group.speakers())

    def __call__(self, text: str) -> str:
        """Return ``text`` with every known name replaced."""
        if not text:
            return text

        def repl(m: re.Match) -> str:
            return self._replacement.get(_key(m.group(0)), MASK)

        return self._pattern.sub(repl, _fold(text))

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
        pattern = re.compile(_name_pattern(_fold(secret)), re.IGNORECASE)
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
