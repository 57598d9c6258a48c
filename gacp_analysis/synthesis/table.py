"""The tidy tables every synthesis derives from.

:func:`load_tables` reads one group's store (or several groups' stores) into
:class:`Tables`:

- ``codings``: one row per coding *in force* (a person's decision overrides
  the automatic coder for the same segment and code, the rule of
  :data:`gacp_analysis.store.CODINGS_IN_FORCE_SQL`);
- ``turns``: one row per speech turn, with its words (for rates per 1,000
  words and speaking shares);
- ``sessions``: one row per session, with its words and turns.

Texts are masked by default (:class:`gacp_analysis.privacy.Masker`): real
names become pseudonyms, ``a_masquer`` names and the organisation a neutral
mark. ``masked=False`` is for the facilitator's own reading, on their machine.
Speakers are keyed by ``(group, speaker)``: the column ``group`` holds the
group's pseudonymised label, so several groups never mix their speakers.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..corpus.group import Group, load_group
from ..corpus.turns import speech_words
from ..errors import E, GacpError
from ..privacy import Masker, quotable_pseudonyms
from ..store import open_store
from .labels import family_of, register_codes

CODING_COLUMNS = ["group", "session", "date", "session_type", "turn", "speech_rank", "segment_id",
                  "segment_index", "speaker", "role", "is_facilitator", "consent_quote", "code",
                  "family", "text", "start", "end", "provenance", "needs_review"]
TURN_COLUMNS = ["group", "session", "date", "session_type", "turn", "speech_rank", "speaker", "role",
                "is_facilitator", "consent_quote", "words", "text", "start", "end"]
SESSION_COLUMNS = ["group", "session", "date", "session_type", "words", "turns"]

@dataclass(frozen=True, eq=False)
class Tables:
    """The tidy tables of one or several groups.

    Attributes:
        codings: one row per coding in force (columns :data:`CODING_COLUMNS`).
        turns: one row per speech turn (columns :data:`TURN_COLUMNS`).
        sessions: one row per session (columns :data:`SESSION_COLUMNS`).
        masked: whether texts were masked.
    """

    codings: pd.DataFrame
    turns: pd.DataFrame
    sessions: pd.DataFrame
    masked: bool = True

    @property
    def groups(self) -> list[str]:
        """Group labels, in the order they were loaded."""
        return list(dict.fromkeys(self.sessions["group"]))

    def select(self, *, groups: Iterable[str] | None = None, sessions: Iterable[int] | None = None,
               session_types: Iterable[str] | None = None) -> Tables:
        """The same tables restricted to some groups, session numbers or session types."""
        def keep(df: pd.DataFrame) -> pd.DataFrame:
            mask = pd.Series(True, index=df.index)
            if groups is not None:
                mask &= df["group"].isin(list(groups))
            if sessions is not None:
                mask &= df["session"].isin(list(sessions))
            if session_types is not None:
                mask &= df["session_type"].isin(list(session_types))
            return df[mask].reset_index(drop=True)

        return Tables(codings=keep(self.codings), turns=keep(self.turns),
                      sessions=keep(self.sessions), masked=self.masked)

    def session(self, number: int, *, group: str | None = None) -> Tables:
        """The tables of one session (of ``group``, or of the only group loaded).

        Raises:
            GacpError: E303 when the session is not in the store.
        """
        group = group if group is not None else self.groups[0]
        known = sorted(self.sessions.loc[self.sessions["group"] == group, "session"])
        if number not in known:
            raise GacpError(E.E303, number=number, group=group,
                            known=", ".join(str(n) for n in known) or "aucune")
        return self.select(groups=[group], sessions=[number])


def load_group_tables(group: Group | str | Path, *, masked: bool = True) -> Tables:
    """Read one group's store into :class:`Tables`.

    Args:
        group: a :class:`Group` or its folder.
        masked: mask names in texts (the default; False only for the facilitator's own reading).

    Raises:
        GacpError: E132 when nothing was imported yet.
    """
    if not isinstance(group, Group):
        group = load_group(group)
    with open_store(group.folder, create=False) as store:
        codings = store.codings_frame()
        turns = store.speech_turns_frame()
        sessions = store.sessions_frame()
        register_codes(store.code_labels())
    if sessions.empty:
        raise GacpError(E.E132, folder=group.folder)
    # Words are counted on the transcript as spoken: masking may change the number of words.
    turns["words"] = turns["text"].map(speech_words).astype("int64")
    turns["speech_rank"] = turns.groupby("session").cumcount().astype("int64")
    if masked:
        masker = Masker(group)
        turns["text"] = turns["text"].map(masker)
        codings["text"] = codings["text"].map(masker)
    codings["family"] = codings["code"].map(family_of)
    codings = codings.merge(turns[["session", "turn", "speech_rank"]], on=["session", "turn"],
                            how="left")
    per_session = turns.groupby("session").agg(words=("words", "sum"), turns=("turn", "count"))
    sessions = sessions.merge(per_session, left_on="session", right_index=True, how="left")
    sessions[["words", "turns"]] = sessions[["words", "turns"]].fillna(0).astype("int64")
    for df in (codings, turns, sessions):
        df.insert(0, "group", group.label)
        df["date"] = pd.to_datetime(df["date"]).dt.date
    # Consent is read from the group file as it is now (privacy decides), not from the
    # store's copy of the last import: a withdrawn consent holds at once.
    allowed = quotable_pseudonyms(group)
    for df in (codings, turns):
        df["is_facilitator"] = df["is_facilitator"].fillna(0).astype(bool)
        df["consent_quote"] = df["speaker"].isin(allowed)
    codings["needs_review"] = codings["needs_review"].fillna(0).astype(bool)
    return Tables(codings=codings[CODING_COLUMNS], turns=turns[TURN_COLUMNS],
                  sessions=sessions[SESSION_COLUMNS], masked=masked)


def concat_tables(tables: Iterable[Tables]) -> Tables:
    """Put several groups' tables together (side by side by group label).

    Raises:
        GacpError: E300 when two groups share a label, E301 when masked and unmasked
            tables are mixed.
    """
    tables = list(tables)
    if not tables:
        raise GacpError(E.E302)
    seen: set[str] = set()
    for t in tables:
        for label in t.groups:
            if label in seen:
                raise GacpError(E.E300, label=label)
            seen.add(label)
    if len({t.masked for t in tables}) > 1:
        raise GacpError(E.E301)
    if len(tables) == 1:
        return tables[0]
    return Tables(
        codings=pd.concat([t.codings for t in tables], ignore_index=True),
        turns=pd.concat([t.turns for t in tables], ignore_index=True),
        sessions=pd.concat([t.sessions for t in tables], ignore_index=True),
        masked=tables[0].masked,
    )


def load_tables(source, *, masked: bool = True) -> Tables:
    """Tables of one group or several, from folders, :class:`Group` objects or tables.

    Args:
        source: a group folder, a :class:`Group`, a :class:`Tables`, or a list of these.
        masked: mask names in texts (ignored for sources that are already tables).

    Returns:
        The tables, with the column ``group`` telling the groups apart.
    """
    if isinstance(source, Tables):
        return source
    if isinstance(source, (str, Path, Group)):
        return load_group_tables(source, masked=masked)
    return concat_tables(load_tables(s, masked=masked) for s in source)


def codings_table(source, *, masked: bool = True) -> pd.DataFrame:
    """The tidy table of codings in force (one row per segment and code)."""
    return load_tables(source, masked=masked).codings


def turn_codes(tables: Tables) -> pd.DataFrame:
    """Speech turns with the set of codes they carry (the union of their segments' codes).

    Returns:
        The turns table plus a column ``codes`` (a frozenset, empty for uncoded turns).
    """
    codes = (tables.codings.groupby(["group", "session", "turn"])["code"]
             .agg(frozenset).rename("codes"))
    out = tables.turns.merge(codes, left_on=["group", "session", "turn"], right_index=True,
                             how="left")
    out["codes"] = out["codes"].map(lambda c: c if isinstance(c, frozenset) else frozenset())
    return out
