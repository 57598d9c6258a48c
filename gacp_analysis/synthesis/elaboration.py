"""What the group worked on, in words: situations brought, recurring arrangements, exchanges.

The counts of the other syntheses say *how much*; the bilan must also
« retrace the collective work of elaboration » and « put into words the
divergences as well as the common readings ». Three tables do it, for each
session and across sessions:

- :func:`situations`: who brought a situation (by pseudonym and trade), in
  which session, about what (its key lemmas);
- :func:`recurring_themes`: the arrangements and constraints that come back,
  grouped by meaning — close segments are clustered (agglomerative
  clustering, cosine distance, average linkage, scikit-learn) and each group
  is labelled by its key lemmas and counted in sessions and participants;
- :func:`exchanges`: for each debated theme, the exchange itself — the turn
  that was answered and the answers that agreed or diverged, each as a short
  masked excerpt when its speaker consented to be quoted
  (:func:`~.excerpts.quotable`), summarised otherwise (never the
  facilitator's words as a quote).

Segments reach the clustering as vectors through ONE function,
:func:`segment_vectors` (lemma TF-IDF today), so that a sentence encoder can
be swapped in later without touching the rest. Texts are read masked (the
tables' default); lemmas never include a pseudonym or a mask.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..privacy import MASK, ORGANISATION_MASK
from .excerpts import quotable, short_excerpt
from .labels import ARRANGEMENT, CONSTRAINT, DEBATE_CODES, is_theme, sort_codes
from .table import load_tables, turn_codes

SITUATION = "recit.situation"
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ"})
KEY_TERMS = 3  # lemmas naming a group of segments or a situation
# Two segments whose lemma profiles are further apart than this (cosine distance, average
# linkage) are not in the same group: 0.85 keeps together segments sharing a content word
# or two (« tournée », « échanger »), not segments that merely share a common verb.
DISTANCE_THRESHOLD = 0.85
MIN_GROUP_SEGMENTS = 2
EXCERPT_WORDS = 25
NOT_QUOTED = "(propos non cité : pas d'accord pour être cité)"
FACILITATION = "(relance de l'animation)"
SITUATION_COLUMNS = ["group", "session", "speaker", "role", "turns", "key_terms", "excerpt"]
RECURRING_COLUMNS = ["group", "code", "label", "segments", "sessions", "n_sessions",
                     "participants", "excerpt"]
EXCHANGE_COLUMNS = ["group", "theme", "session", "exchange", "position", "speaker", "role",
                    "stance", "excerpt"]
STANCES = {"debat.accord": "accord", "debat.divergence": "divergence"}


# -- lemmas and vectors ---------------------------------------------------------------------

def _stop_lemmas(extra: Sequence[str] = ()) -> set[str]:
    words = {w.lower() for text in (MASK, ORGANISATION_MASK, *extra) for w in
             text.replace("[", " ").replace("]", " ").split()}
    # Spoken fillers the tagger often reads as nouns or verbs.
    return words | {"truc", "chose", "faire", "dire", "aller", "falloir", "voilà", "bon", "ben",
                    "euh", "hein", "quoi", "être", "avoir", "pouvoir", "vouloir", "savoir",
                    "mettre", "venir", "voir", "fois", "moment", "gens", "coup", "peu"}


def content_lemmas(texts: Sequence[str], *, exclude: Sequence[str] = ()) -> list[list[str]]:
    """The content lemmas of each text (nouns, verbs, adjectives; no stop word, no filler,
    no pseudonym or mask), lower case, in order.

    Args:
        texts: masked texts.
        exclude: words never to keep (the group's pseudonyms).
    """
    from ..coding.pipeline import load_pipeline

    stop = _stop_lemmas(exclude)
    nlp = load_pipeline()
    out = []
    for doc in nlp.pipe(list(texts), batch_size=256):
        out.append([t.lemma_.lower() for t in doc
                    if t.pos_ in CONTENT_POS and t.is_alpha and not t.is_stop
                    and len(t.text) > 2 and t.lemma_.lower() not in stop
                    and t.text.lower() not in stop])
    return out


def _tfidf(lemmas: Sequence[Sequence[str]]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=lambda doc: list(doc), sublinear_tf=True, norm="l2")
    matrix = vectorizer.fit_transform(lemmas)
    return matrix, np.array(vectorizer.get_feature_names_out())


def segment_vectors(texts: Sequence[str], *, lemmas: Sequence[Sequence[str]] | None = None
                    ) -> np.ndarray:
    """One vector per segment, L2-normalised (rows of zeros for a segment without content).

    The one place where segments become vectors for grouping by meaning: today
    the TF-IDF of their content lemmas (:func:`content_lemmas`); a sentence
    encoder can replace it here, returning its embeddings for ``texts``.

    Args:
        texts: masked segment texts.
        lemmas: their content lemmas, when already computed.
    """
    lemmas = content_lemmas(texts) if lemmas is None else lemmas
    if not any(lemmas):
        return np.zeros((len(texts), 0))
    matrix, _terms = _tfidf(lemmas)
    return matrix.toarray()


def key_terms(lemmas: Sequence[Sequence[str]], members: Sequence[Sequence[int]], *,
              n: int = KEY_TERMS) -> list[list[str]]:
    """For each group of texts (indices into ``lemmas``), its ``n`` key lemmas.

    A lemma's weight is its summed TF-IDF over the group's texts (IDF over all
    texts given), counted in how many of the group's texts carry it first, so a
    group is named by what its members share; ties go alphabetically.
    """
    if not any(lemmas):
        return [[] for _ in members]
    matrix, terms = _tfidf(lemmas)
    dense = matrix.toarray()
    out = []
    for rows in members:
        rows = list(rows)
        share = (dense[rows] > 0).sum(axis=0)
        weight = dense[rows].sum(axis=0)
        order = sorted((i for i in range(len(terms)) if weight[i] > 0),
                       key=lambda i: (-share[i], -weight[i], terms[i]))
        out.append([str(terms[i]) for i in order[:n]])
    return out


def cluster(vectors: np.ndarray, *, threshold: float = DISTANCE_THRESHOLD) -> np.ndarray:
    """Group labels (0, 1, ...) of segments by meaning; -1 for a segment without content.

    Agglomerative clustering (scikit-learn), cosine distance, average linkage,
    cut at ``threshold``: the number of groups is not fixed in advance.
    Labels are renumbered in order of first appearance.
    """
    from sklearn.cluster import AgglomerativeClustering

    labels = np.full(len(vectors), -1)
    if vectors.size == 0:
        return labels
    with_content = np.flatnonzero(np.linalg.norm(vectors, axis=1) > 0)
    if len(with_content) == 1:
        labels[with_content] = 0
    elif len(with_content) > 1:
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold,
                                        metric="cosine", linkage="average")
        labels[with_content] = model.fit_predict(vectors[with_content])
    first: dict[int, int] = {}
    for label in labels:
        if label >= 0 and label not in first:
            first[label] = len(first)
    return np.array([first.get(label, -1) for label in labels])


def _pseudonyms(tables) -> list[str]:
    return sorted({s for s in tables.turns["speaker"].dropna()})


# -- the three tables -------------------------------------------------------------------------

def situations(source) -> pd.DataFrame:
    """The situations brought to the group: who told them, in which session, about what.

    A participant's turns coded ``recit.situation`` in a session make one row
    (the facilitator brings no situation). ``key_terms`` are the row's key
    lemmas (:func:`key_terms`, IDF over every situation of the group);
    ``excerpt`` is the first situation sentence, short and masked, when its
    speaker may be quoted (:func:`~.excerpts.quotable`), else empty.

    Returns:
        Columns :data:`SITUATION_COLUMNS`, by group, session and first telling.
    """
    tables = load_tables(source)
    codings = tables.codings
    told = codings[(codings["code"] == SITUATION) & ~codings["is_facilitator"]
                   & codings["speaker"].notna()].sort_values(["group", "session", "start"])
    if told.empty:
        return pd.DataFrame(columns=SITUATION_COLUMNS)
    rows, texts = [], []
    for (group, session, speaker), items in told.groupby(["group", "session", "speaker"],
                                                          sort=False):
        first = items.iloc[0]
        rows.append({"group": group, "session": int(session), "speaker": speaker,
                     "role": first["role"], "turns": int(items["turn"].nunique()),
                     "excerpt": short_excerpt(first["text"], EXCERPT_WORDS)
                     if bool(quotable(items.iloc[:1]).iloc[0]) else "",
                     "_start": int(first["start"])})
        texts.append(" ".join(items["text"]))
    lemmas = content_lemmas(texts, exclude=_pseudonyms(tables))
    for row, terms in zip(rows, key_terms(lemmas, [[i] for i in range(len(rows))])):
        row["key_terms"] = ", ".join(terms)
    frame = pd.DataFrame(rows).sort_values(["group", "session", "_start"], kind="stable")
    return frame[SITUATION_COLUMNS].reset_index(drop=True)


def recurring_themes(source, *, codes: Sequence[str] = (ARRANGEMENT, CONSTRAINT),
                     threshold: float = DISTANCE_THRESHOLD,
                     min_segments: int = MIN_GROUP_SEGMENTS) -> pd.DataFrame:
    """The arrangements and constraints that come back, grouped by meaning.

    For each group and code, the coded segments are clustered
    (:func:`segment_vectors`, :func:`cluster`); each cluster of at least
    ``min_segments`` segments is one row, labelled by its key lemmas.

    Returns:
        Columns :data:`RECURRING_COLUMNS`: ``label`` (key lemmas), ``segments``,
        ``sessions`` (« 1, 3, 4 »), ``n_sessions``, ``participants`` (how many different
        participants said it; the animation is not counted), ``excerpt`` (the shortest
        quotable member, short and masked, or empty). Most sessions first, then most
        participants, most segments.
    """
    tables = load_tables(source)
    codings = tables.codings
    pseudonyms = _pseudonyms(tables)
    rows = []
    for (group, code), items in codings[codings["code"].isin(list(codes))].groupby(
            ["group", "code"], sort=False):
        items = items.sort_values(["session", "start"]).reset_index(drop=True)
        lemmas = content_lemmas(list(items["text"]), exclude=pseudonyms)
        labels = cluster(segment_vectors(list(items["text"]), lemmas=lemmas),
                         threshold=threshold)
        groups = [np.flatnonzero(labels == k).tolist() for k in range(labels.max() + 1)]
        groups = [g for g in groups if len(g) >= min_segments]
        for members, terms in zip(groups, key_terms(lemmas, groups)):
            part = items.iloc[members]
            said = part[~part["is_facilitator"] & part["speaker"].notna()]
            allowed = part[quotable(part)]
            excerpt = ""
            if not allowed.empty:
                shortest = allowed.loc[allowed["text"].str.split().str.len().idxmin(), "text"]
                excerpt = short_excerpt(shortest, EXCERPT_WORDS)
            sessions = sorted({int(s) for s in part["session"]})
            rows.append({"group": group, "code": code, "label": ", ".join(terms),
                         "segments": len(part), "sessions": ", ".join(map(str, sessions)),
                         "n_sessions": len(sessions),
                         "participants": int(said["speaker"].nunique()), "excerpt": excerpt})
    frame = pd.DataFrame(rows, columns=RECURRING_COLUMNS)
    if frame.empty:
        return frame
    order = {c: i for i, c in enumerate(sort_codes(frame["code"]))}
    groups = {g: i for i, g in enumerate(tables.groups)}
    return (frame.assign(_g=frame["group"].map(groups), _c=frame["code"].map(order))
            .sort_values(["_g", "_c", "n_sessions", "participants", "segments", "label"],
                         ascending=[True, True, False, False, False, True], kind="stable")
            .drop(columns=["_g", "_c"]).reset_index(drop=True))


def exchanges(source) -> pd.DataFrame:
    """For each debated theme, the exchanges themselves: the turn answered, then the answers.

    An exchange starts at the speech turn a debate turn (``debat.accord`` or
    ``debat.divergence``) answers — the previous speech turn, by another
    speaker — and goes on while the following turns are debate turns. It is
    about the themes coded in any of its turns (as in
    :func:`~.exchange.debate_turns`). Each turn is one row: ``position`` 0 for
    the turn answered, 1, 2... for the answers; ``stance`` « propos »,
    « accord » or « divergence » (both when a turn carries both);
    ``excerpt`` the turn, short and masked, when its speaker may be quoted,
    :data:`NOT_QUOTED` for a participant who may not, :data:`FACILITATION` for
    the animation (never quoted).

    Returns:
        Columns :data:`EXCHANGE_COLUMNS`, by group, theme (codebook order), session and
        exchange (numbered from 1 in each group, in session order).
    """
    tables = load_tables(source)
    turns = turn_codes(tables)
    rows = []
    for group, in_group in turns.groupby("group", sort=False):
        number = 0
        for _session, in_session in in_group.groupby("session", sort=True):
            ordered = list(in_session.sort_values("speech_rank").itertuples(index=False))
            i = 1
            while i < len(ordered):
                turn, previous = ordered[i], ordered[i - 1]
                if not (set(turn.codes) & set(DEBATE_CODES)) or previous.speaker == turn.speaker:
                    i += 1
                    continue
                members = [previous, turn]
                i += 1
                while i < len(ordered) and set(ordered[i].codes) & set(DEBATE_CODES):
                    members.append(ordered[i])
                    i += 1
                number += 1
                themes = sort_codes({c for m in members for c in m.codes if is_theme(c)})
                for theme in themes:
                    for position, m in enumerate(members):
                        stance = " et ".join(STANCES[c] for c in DEBATE_CODES
                                             if c in m.codes) if position else "propos"
                        rows.append({"group": group, "theme": theme, "session": int(m.session),
                                     "exchange": number, "position": position,
                                     "speaker": m.speaker, "role": m.role, "stance": stance,
                                     "excerpt": _exchange_excerpt(m)})
    frame = pd.DataFrame(rows, columns=EXCHANGE_COLUMNS)
    if frame.empty:
        return frame
    order = {c: i for i, c in enumerate(sort_codes(frame["theme"]))}
    groups = {g: i for i, g in enumerate(tables.groups)}
    return (frame.assign(_g=frame["group"].map(groups), _t=frame["theme"].map(order))
            .sort_values(["_g", "_t", "exchange", "position"], kind="stable")
            .drop(columns=["_g", "_t"]).reset_index(drop=True))


def _exchange_excerpt(turn) -> str:
    if turn.is_facilitator:
        return FACILITATION
    if not turn.consent_quote or turn.speaker is None:
        return NOT_QUOTED
    return short_excerpt(turn.text, EXCERPT_WORDS)


def exchange_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per group and theme: how many exchanges, answers in agreement and in divergence.

    Args:
        frame: the output of :func:`exchanges`.

    Returns:
        ``group, theme, exchanges, accord, divergence, sessions`` in the frame's order.
    """
    out = []
    for (group, theme), items in frame.groupby(["group", "theme"], sort=False):
        answers = items[items["position"] > 0]
        out.append({"group": group, "theme": theme, "exchanges": items["exchange"].nunique(),
                    "accord": int(answers["stance"].str.contains("accord").sum()),
                    "divergence": int(answers["stance"].str.contains("divergence").sum()),
                    "sessions": ", ".join(str(s) for s in sorted(set(items["session"])))})
    return pd.DataFrame(out, columns=["group", "theme", "exchanges", "accord", "divergence",
                                      "sessions"])


def session_overview(source) -> pd.DataFrame:
    """Per session, in words: who brought situations, the recurring groups present, the themes
    debated.

    Returns:
        ``group, session, situations`` (« Ambre, Basile »), ``recurring`` (labels of the
        :func:`recurring_themes` groups met in the session, most recurrent first),
        ``debated`` (theme codes of :func:`exchanges` in the session).
    """
    tables = load_tables(source)
    told = situations(tables)
    recurring = recurring_themes(tables)
    debated = exchanges(tables)
    rows = []
    for s in tables.sessions.itertuples(index=False):
        here = told[(told["group"] == s.group) & (told["session"] == s.session)]
        labels = [r.label for r in recurring.itertuples()
                  if r.group == s.group and str(s.session) in r.sessions.split(", ")]
        themes = sort_codes(set(debated.loc[(debated["group"] == s.group)
                                            & (debated["session"] == s.session), "theme"]))
        rows.append({"group": s.group, "session": int(s.session),
                     "situations": ", ".join(dict.fromkeys(here["speaker"])),
                     "recurring": " ; ".join(labels[:3]), "debated": list(themes)})
    return pd.DataFrame(rows, columns=["group", "session", "situations", "recurring", "debated"])

