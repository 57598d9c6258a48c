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
  facilitator's words as a quote); :func:`exchange_summary` counts them per
  theme and :func:`telling_exchanges` picks the ones the bilan restitutes;
- :func:`session_overview`: the three, session by session.

Who may be *named* in the written bilan (consent to the written bilan) is
decided by ``export/bilan.py`` with
:func:`~gacp_analysis.confidentiality.consent.in_written_bilan`; who may be
*quoted*, here, only through :func:`~.excerpts.quotable`. Lemmas come from
the group's parse cache (``gacp code`` filled it) when the folder is known.

Segments reach the clustering as vectors through ONE function,
:func:`segment_vectors` (lemma TF-IDF today), so that a sentence encoder can
be swapped in later without touching the rest. Texts are read masked (the
tables' default); lemmas never include a pseudonym or a mask.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..corpus.group import Group
from ..privacy import MASK, ORGANISATION_MASK
from .excerpts import quotable, short_excerpt
from .labels import ARRANGEMENT, CONSTRAINT, DEBATE_CODES, is_theme, sort_codes
from .table import load_tables, turn_codes

SITUATION = "recit.situation"
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ"})
KEY_TERMS = 3  # lemmas naming a group of segments or a situation
# Two segments whose lemma profiles are further apart than this (cosine distance, average
# linkage) are not in the same group: 0.85 keeps together segments sharing a content word
# or two (« porte », « regarder »), not segments that merely share a common verb.
DISTANCE_THRESHOLD = 0.85
MIN_GROUP_SEGMENTS = 2
# A segment with fewer content lemmas (« Trois heures dix. ») says too little alone to be
# grouped by meaning.
MIN_SEGMENT_LEMMAS = 2
# A participant's situation segments of a session make a situation brought to the group when
# they hold at least this many words (a story, not a remark coded in passing).
SITUATION_MIN_WORDS = 40
EXCERPT_WORDS = 25
NOT_QUOTED = "(propos non cité : pas d'accord pour être cité)"
FACILITATION = "(relance de l'animation)"
SITUATION_COLUMNS = ["group", "session", "speaker", "role", "turns", "words", "key_terms",
                     "excerpt"]
RECURRING_COLUMNS = ["group", "code", "label", "segments", "sessions", "n_sessions",
                     "participants", "excerpt", "segment_ids"]
EXCHANGE_COLUMNS = ["group", "theme", "session", "exchange", "position", "speaker", "role",
                    "stance", "quoted", "excerpt"]
STANCES = {"debat.accord": "accord", "debat.divergence": "divergence"}
# Spoken fillers and all-purpose words the tagger reads as nouns, verbs or adjectives: they
# name no arrangement (« tout le monde fait pareil »), nor do the time words of every story.
FILLERS = frozenset({
    "truc", "chose", "faire", "dire", "aller", "falloir", "voilà", "bon", "ben", "euh", "hein",
    "quoi", "être", "avoir", "pouvoir", "vouloir", "savoir", "mettre", "venir", "voir", "fois",
    "moment", "gens", "coup", "peu", "monde", "pareil", "fait", "ouais", "oui", "non", "vrai",
    "petit", "grand", "même", "autre", "genre", "enfin", "alors", "trouver", "penser", "croire",
    "accord", "prendre", "donner", "parler", "rester", "passer",
    # Time words: every story of the work has them, no arrangement is named by them.
    "jour", "nuit", "heure", "matin", "soir", "semaine", "mois", "année", "minute", "demi",
    "demie", "dernier", "premier", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi",
    "dimanche", "hier", "demain", "aujourd'hui", "début", "fin"})


# -- lemmas and vectors ---------------------------------------------------------------------

def _stop_lemmas(extra: Sequence[str] = ()) -> set[str]:
    words = {w.lower() for text in (MASK, ORGANISATION_MASK, *extra) for w in
             text.replace("[", " ").replace("]", " ").split()}
    return words | set(FILLERS)


def content_lemmas(texts: Sequence[str], *, exclude: Sequence[str] = (),
                   folder: Path | str | None = None) -> list[list[str]]:
    """The content lemmas of each text (nouns, verbs, adjectives; no stop word, no filler,
    no pseudonym or mask), lower case, in order.

    Lemmas are spaCy's (the coder's pipeline). With ``folder``, parses come from the
    group's cache of parsed segments (:class:`~gacp_analysis.coding.pipeline.DocCache`,
    filled by ``gacp code``), so the segments coded are not parsed again.

    Args:
        texts: masked texts.
        exclude: words never to keep (the group's pseudonyms, roles...).
        folder: the group's folder, for its parse cache.
    """
    from ..coding.pipeline import parse

    stop = _stop_lemmas(exclude)
    cached = isinstance(folder, (str, Path))
    docs = _doc_cache(folder).get_docs(list(texts)) if cached else parse(list(texts))
    out = []
    for doc in docs:
        out.append([t.lemma_.lower() for t in doc
                    if t.pos_ in CONTENT_POS and t.is_alpha and not t.is_stop
                    and len(t.text) > 2 and t.lemma_.lower() not in stop
                    and t.text.lower() not in stop])
    return out


def _doc_cache(folder: Path | str):
    """The group's parse cache, read from disk once while its file is unchanged."""
    from ..coding.pipeline import DocCache

    cache = DocCache(folder)
    stamp = cache.path.stat().st_mtime_ns if cache.path.exists() else None
    key = (str(Path(folder).resolve()), stamp)
    if _CACHES.get("key") != key:
        _CACHES.clear()
        _CACHES.update(key=key, cache=cache)
    return _CACHES["cache"]


_CACHES: dict = {}  # the last group's DocCache (a bilan reads it several times)


def _tfidf(lemmas: Sequence[Sequence[str]]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm="l2")
    matrix = vectorizer.fit_transform(lemmas)
    return matrix, np.array(vectorizer.get_feature_names_out())


def _identity(doc):
    return list(doc)


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
                       key=lambda i: (-share[i], -round(float(weight[i]), 9), terms[i]))
        out.append([str(terms[i]) for i in order[:n]])
    return out


def cluster(vectors: np.ndarray, *, threshold: float = DISTANCE_THRESHOLD) -> np.ndarray:
    """Group labels (0, 1, ...) of segments by meaning; -1 for a segment without content.

    Agglomerative clustering (scikit-learn), cosine distance, average linkage,
    cut at ``threshold``: the number of groups is not fixed in advance.
    Labels are renumbered in order of first appearance (deterministic).
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
    """Words never to use as key terms: the pseudonyms of everyone who spoke."""
    return sorted(set(tables.turns["speaker"].dropna()))


def _folder(source, folder):
    if folder is not None:
        return folder
    if isinstance(source, Group):
        return source.folder
    if isinstance(source, (str, Path)):
        return source
    return None  # several groups, or tables: parsed afresh


# -- the three tables -------------------------------------------------------------------------

def _excerpt(rows: pd.DataFrame) -> str:
    """The longest quotable text among ``rows``, short and masked; empty when none may be
    quoted (ties: the earliest)."""
    allowed = rows[quotable(rows)]
    if allowed.empty:
        return ""
    lengths = allowed["text"].str.split().str.len()
    return short_excerpt(allowed.loc[lengths.idxmax(), "text"], EXCERPT_WORDS)


def situations(source, *, folder: Path | str | None = None,
               min_words: int = SITUATION_MIN_WORDS) -> pd.DataFrame:
    """The situations brought to the group: who told them, in which session, about what.

    A participant's segments coded ``recit.situation`` in a session make one
    situation when they hold at least ``min_words`` words (the facilitator
    brings no situation). ``key_terms`` are its key lemmas (:func:`key_terms`,
    IDF over every situation of the group); ``excerpt`` its longest situation
    sentence, short and masked, when its speaker may be quoted
    (:func:`~.excerpts.quotable`), else empty.

    Args:
        source: a group folder, several, or their (masked) tables.
        folder: the group's folder (its parse cache), when ``source`` is tables.
        min_words: fewer words of situation make a remark, not a situation.

    Returns:
        Columns :data:`SITUATION_COLUMNS`, by group, session and first telling.
    """
    tables = load_tables(source)
    codings = tables.codings
    told = codings[(codings["code"] == SITUATION) & ~codings["is_facilitator"]
                   & codings["speaker"].notna()].sort_values(["group", "session", "start"])
    rows, segment_lemmas = [], []
    lemmas = content_lemmas(list(told["text"]), exclude=_pseudonyms(tables),
                            folder=_folder(source, folder)) if len(told) else []
    told = told.assign(_i=range(len(told)))
    for (group, session, speaker), items in told.groupby(["group", "session", "speaker"],
                                                          sort=False):
        words = int(items["text"].str.split().str.len().sum())
        if words < min_words:
            continue
        rows.append({"group": group, "session": int(session), "speaker": speaker,
                     "role": items.iloc[0]["role"], "turns": int(items["turn"].nunique()),
                     "words": words, "excerpt": _excerpt(items),
                     "_start": int(items.iloc[0]["start"])})
        segment_lemmas.append([lemma for i in items["_i"] for lemma in lemmas[i]])
    if not rows:
        return pd.DataFrame(columns=SITUATION_COLUMNS)
    for row, terms in zip(rows, key_terms(segment_lemmas, [[i] for i in range(len(rows))])):
        row["key_terms"] = ", ".join(terms)
    frame = pd.DataFrame(rows)
    order = {g: i for i, g in enumerate(tables.groups)}
    frame = frame.assign(_g=frame["group"].map(order)).sort_values(
        ["_g", "session", "_start"], kind="stable")
    return frame[SITUATION_COLUMNS].reset_index(drop=True)


def _in_group_and_code_order(frame: pd.DataFrame, groups: Sequence[str], column: str,
                             then: list[str], ascending: list[bool]) -> pd.DataFrame:
    """Rows in the groups' order, then codebook order of ``column``, then ``then``."""
    group_rank = {g: i for i, g in enumerate(groups)}
    code_rank = {c: i for i, c in enumerate(sort_codes(frame[column]))}
    return (frame.assign(_g=frame["group"].map(group_rank), _c=frame[column].map(code_rank))
            .sort_values(["_g", "_c", *then], ascending=[True, True, *ascending], kind="stable")
            .drop(columns=["_g", "_c"]).reset_index(drop=True))


def recurring_themes(source, *, codes: Sequence[str] = (ARRANGEMENT, CONSTRAINT),
                     folder: Path | str | None = None,
                     threshold: float = DISTANCE_THRESHOLD,
                     min_segments: int = MIN_GROUP_SEGMENTS,
                     min_lemmas: int = MIN_SEGMENT_LEMMAS) -> pd.DataFrame:
    """The arrangements and constraints that come back, grouped by meaning.

    For each group and code, the participants' coded segments with at least
    ``min_lemmas`` content lemmas are clustered (:func:`segment_vectors`,
    :func:`cluster`); each cluster of at least ``min_segments`` segments is one
    row, labelled by its key lemmas (:func:`key_terms`). The facilitator's
    words are not the group's: they are left out.

    Returns:
        Columns :data:`RECURRING_COLUMNS`: ``label`` (key lemmas), ``segments``,
        ``sessions`` (« 1, 3, 4 »), ``n_sessions``, ``participants`` (how many different
        participants said it), ``excerpt`` (the longest quotable member, short and masked,
        or empty), ``segment_ids`` (tuple). Most sessions first, then most participants,
        most segments, label.
    """
    tables = load_tables(source)
    codings = tables.codings
    chosen = codings[codings["code"].isin(list(codes)) & ~codings["is_facilitator"]
                     & codings["speaker"].notna()]
    pseudonyms = _pseudonyms(tables)
    where = _folder(source, folder)
    rows = []
    for (group, code), items in chosen.groupby(["group", "code"], sort=False):
        items = items.sort_values(["session", "start"]).reset_index(drop=True)
        lemmas = content_lemmas(list(items["text"]), exclude=pseudonyms, folder=where)
        keep = [i for i, lem in enumerate(lemmas) if len(set(lem)) >= min_lemmas]
        if not keep:
            continue
        items = items.iloc[keep].reset_index(drop=True)
        lemmas = [lemmas[i] for i in keep]
        labels = cluster(segment_vectors(list(items["text"]), lemmas=lemmas),
                         threshold=threshold)
        groups = [np.flatnonzero(labels == k).tolist() for k in range(labels.max() + 1)]
        groups = [g for g in groups if len(g) >= min_segments]
        for members, terms in zip(groups, key_terms(lemmas, groups)):
            part = items.iloc[members]
            sessions = sorted({int(s) for s in part["session"]})
            rows.append({"group": group, "code": code, "label": ", ".join(terms),
                         "segments": len(part), "sessions": ", ".join(map(str, sessions)),
                         "n_sessions": len(sessions),
                         "participants": int(part["speaker"].nunique()),
                         "excerpt": _excerpt(part),
                         "segment_ids": tuple(int(i) for i in part["segment_id"])})
    frame = pd.DataFrame(rows, columns=RECURRING_COLUMNS)
    if frame.empty:
        return frame
    return _in_group_and_code_order(frame, tables.groups, "code",
                                    ["n_sessions", "participants", "segments", "label"],
                                    [False, False, False, True])


def exchanges(source) -> pd.DataFrame:
    """The debated exchanges themselves: the turn answered, then the answers.

    An exchange starts at the speech turn a debate turn (``debat.accord`` or
    ``debat.divergence``) answers — the previous speech turn, by another
    speaker — and goes on while the following turns are debate turns. Its
    theme is the theme (:func:`~.labels.is_theme`) coded on most of its
    segments (ties: codebook order); an exchange with no theme coded is left
    out. Each turn is one row: ``position`` 0 for the turn answered, 1, 2...
    for the answers; ``stance`` « propos », « accord » or « divergence » (« accord
    et divergence » when a turn carries both); ``quoted`` whether its speaker may be
    quoted (:func:`~.excerpts.quotable`); ``excerpt`` the turn, short and masked,
    when quoted, :data:`NOT_QUOTED` for a participant who may not be,
    :data:`FACILITATION` for the animation (never quoted).

    Returns:
        Columns :data:`EXCHANGE_COLUMNS`, by group, theme (codebook order), exchange
        (numbered from 1 in each group, in session order) and position.
    """
    tables = load_tables(source)
    turns = turn_codes(tables)
    turns = turns.assign(quoted=quotable(turns).to_numpy())
    counts = tables.codings.groupby(["group", "session", "turn", "code"]).size()
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
                weight: dict[str, int] = {}
                for m in members:
                    for code in m.codes:
                        if is_theme(code):
                            weight[code] = weight.get(code, 0) + int(
                                counts.get((group, m.session, m.turn, code), 0))
                if not weight:
                    continue
                rank = {c: k for k, c in enumerate(sort_codes(weight))}
                theme = min(weight, key=lambda c: (-weight[c], rank[c]))
                number += 1
                for position, m in enumerate(members):
                    stance = " et ".join(STANCES[c] for c in DEBATE_CODES
                                         if c in m.codes) if position else "propos"
                    rows.append({"group": group, "theme": theme, "session": int(m.session),
                                 "exchange": number, "position": position,
                                 "speaker": m.speaker, "role": m.role, "stance": stance,
                                 "quoted": bool(m.quoted), "excerpt": _exchange_excerpt(m)})
    frame = pd.DataFrame(rows, columns=EXCHANGE_COLUMNS)
    if frame.empty:
        return frame
    return _in_group_and_code_order(frame, tables.groups, "theme", ["exchange", "position"],
                                    [True, True])


def _exchange_excerpt(turn) -> str:
    if turn.is_facilitator:
        return FACILITATION
    if not turn.quoted:
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


def telling_exchanges(frame: pd.DataFrame, *, per_theme: int = 1) -> pd.DataFrame:
    """The exchanges to put in the bilan: ``per_theme`` for each group and theme.

    An exchange where answers both agreed and diverged comes first, then the one
    with the most answers from participants who may be quoted, the most answers,
    the earliest.

    Args:
        frame: the output of :func:`exchanges`.

    Returns:
        The rows of the chosen exchanges, in the frame's order.
    """
    if frame.empty:
        return frame
    chosen = []
    for (_group, _theme), items in frame.groupby(["group", "theme"], sort=False):
        scores = []
        for number, turns in items.groupby("exchange", sort=True):
            answers = turns[turns["position"] > 0]
            both = answers["stance"].str.contains("accord").any() and \
                answers["stance"].str.contains("divergence").any()
            scores.append((not both, -int(answers["quoted"].sum()), -len(answers), number))
        chosen += [(_group, n) for *_rest, n in sorted(scores)[:per_theme]]
    keep = pd.Series(list(zip(frame["group"], frame["exchange"]))).isin(chosen).to_numpy()
    return frame[keep].reset_index(drop=True)


def for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of this module as a reader sees it: without the internal columns (segment ids,
    the ``quoted`` flag), debated themes by their French labels."""
    from .labels import code_label

    out = frame.drop(columns=[c for c in ("segment_ids", "quoted") if c in frame.columns])
    if "debated" in out.columns:
        out["debated"] = out["debated"].map(lambda codes: ", ".join(code_label(c) for c in codes))
    return out


def session_overview(source, *, folder: Path | str | None = None,
                     told: pd.DataFrame | None = None, recurring: pd.DataFrame | None = None,
                     debated: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per session, in words: who brought situations, the recurring groups present, the themes
    debated.

    ``told``, ``recurring`` and ``debated`` are the outputs of :func:`situations`,
    :func:`recurring_themes` and :func:`exchanges` when already computed.

    Returns:
        ``group, session, situations`` (« Ambre, Basile »), ``recurring`` (labels of the
        :func:`recurring_themes` groups met in the session, most recurrent first, at most
        three), ``debated`` (themes of :func:`exchanges` in the session, codebook order).
    """
    tables = load_tables(source)
    where = _folder(source, folder)
    told = situations(tables, folder=where) if told is None else told
    recurring = recurring_themes(tables, folder=where) if recurring is None else recurring
    debated = exchanges(tables) if debated is None else debated
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
