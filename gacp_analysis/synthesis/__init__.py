"""Cross-session syntheses: tables derived from the codings (pandas) and figures (matplotlib).

Everything starts from :func:`load_tables` (one group folder, several, or
tables already loaded) and every function below accepts the same sources, so
several groups are compared side by side by their pseudonymised label.

- :mod:`.table`: the tidy tables (codings in force, speech turns, sessions);
- :mod:`.trajectories`: counts and rates per session, first appearance, peak, status;
- :mod:`.cooccurrence`: codes carried together;
- :mod:`.arrangements`: arrangement → consequence links, with the constraint answered;
- :mod:`.rationalities`: theme × rationality, and the balance across sessions;
- :mod:`.exchange`: divergences and common readings per theme, theme transitions;
- :mod:`.participation`: speaking shares (a facilitation aid, never a score);
- :mod:`.search`: keyword in context;
- :mod:`.excerpts`: what the bilan may quote, and the memos marked for it;
- :mod:`.elaboration`: what the group worked on, in words (situations, recurring
  arrangements and constraints grouped by meaning, debated exchanges);
- :mod:`.groups`: several groups side by side;
- :mod:`.figures`: one function per figure;
- :mod:`.display`: styled French tables; :mod:`.explorer`: the interactive explorer;
- :mod:`.labels`: French labels for codes, families and column headers.
"""
from __future__ import annotations

from .arrangements import arrangement_links, arrangement_summary
from .cooccurrence import cooccurrence
from .elaboration import (exchange_summary, exchanges, recurring_themes, session_overview,
                          situations, telling_exchanges)
from .excerpts import bilan_memos, quotes
from .exchange import debate_by_session, debate_by_theme, debate_turns, theme_transitions
from .groups import side_by_side
from .labels import code_label, family_label, french
from .display import show
from .explorer import explorer, filter_codings
from .participation import participation, participation_overview, session_summary
from .rationalities import rationality_balance, rationality_profile
from .search import kwic
from .table import Tables, codings_table, concat_tables, load_tables, turn_codes
from .trajectories import theme_counts, theme_matrix, themes_by_status, trajectories

__all__ = [
    "Tables", "arrangement_links", "arrangement_summary", "bilan_memos", "code_label",
    "codings_table", "concat_tables", "cooccurrence", "debate_by_session", "debate_by_theme",
    "debate_turns", "exchange_summary", "exchanges", "explorer", "family_label", "filter_codings", "french", "kwic", "load_tables",
    "participation", "participation_overview", "quotes", "rationality_balance",
    "rationality_profile", "recurring_themes", "session_overview", "session_summary", "show", "side_by_side", "situations", "telling_exchanges", "theme_counts",
    "theme_matrix", "theme_transitions", "themes_by_status", "trajectories", "turn_codes",
]
