"""The syntheses as files: numeric tables (CSV) and figures (PNG) for one group or several.

For a supervisor who compares groups without opening a notebook. The tables
carry numbers, pseudonyms and roles, never excerpts: verbatims leave the
machine only through the bilan, where consent and validation are checked.
Every file written is audited for real names before the command succeeds.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..corpus.group import Group, load_group
from ..errors import E, GacpError
from .arrangements import arrangement_links, arrangement_summary
from .exchange import debate_by_session, debate_by_theme, theme_transitions
from .figures import save_all
from .labels import french
from .participation import participation, session_summary
from .rationalities import rationality_balance, rationality_profile
from .table import Tables, concat_tables, load_group_tables
from .trajectories import theme_counts, trajectories


def _profile(tables: Tables) -> pd.DataFrame:
    profile = rationality_profile(tables)
    profile.columns.name = None
    return profile.reset_index()


# File name -> the table it holds (no column of excerpts).
TABLES = {
    "seances": session_summary,
    "themes_par_seance": theme_counts,
    "familles_par_seance": lambda t: theme_counts(t, level="family"),
    "trajectoires": trajectories,
    "arrangements_par_seance": lambda t: arrangement_summary(t).reset_index(),
    "arrangements_liens": lambda t: arrangement_links(t)[
        ["group", "session", "turn", "speaker", "consequence", "consequence_turn", "distance",
         "constraint"]],
    "rationalites_par_theme": _profile,
    "rationalites_par_seance": rationality_balance,
    "debat_par_theme": debate_by_theme,
    "debat_par_seance": debate_by_session,
    "rebonds": theme_transitions,
    "participation": participation,
}


def write_csv(df: pd.DataFrame, path: Path, *, labels: bool = True) -> Path:
    """A table for French spreadsheets: French headers and labels, « ; » and decimal comma,
    UTF-8 with a byte order mark (so Excel reads the accents).

    Args:
        labels: replace code ids by their labels (False: the table has its own label column).
    """
    french(df, labels=labels).to_csv(path, sep=";", decimal=",", index=False,
                                     encoding="utf-8-sig")
    return path


def write_syntheses(folders, out: Path | str, *, session_types: list[str] | None = None
                    ) -> list[Path]:
    """Write every synthesis table (CSV) and figure (PNG) of one group or several.

    Args:
        folders: a group folder or a list of them (compared side by side).
        out: the folder to write into (created if needed).
        session_types: keep only these session types (e.g. ``["analyse"]``).

    Returns:
        The files written.

    Raises:
        GacpError: E132 for a group not imported, E300 for two groups with one label,
            E307 when a file would hold a real name (it is then deleted).
    """
    from ..export.audit import audit_paths
    from ..privacy import group_secrets

    folders = [folders] if isinstance(folders, (str, Path, Group)) else list(folders)
    groups = [g if isinstance(g, Group) else load_group(g) for g in folders]
    tables = concat_tables(load_group_tables(g) for g in groups)
    if session_types:
        tables = tables.select(session_types=session_types)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_csv(build(tables), out / f"{name}.csv") for name, build in TABLES.items()]
    written += list(save_all(tables, out / "figures").values())
    secrets = [s for g in groups for s in group_secrets(g)]
    report = audit_paths(written, secrets)
    if not report.ok:
        leaking = sorted(set(report.leaking_files()))
        for path in leaking:
            Path(path).unlink(missing_ok=True)
        raise GacpError(E.E307, files=", ".join(str(p) for p in leaking))
    return written
