"""Retention: how long a group's store may be kept, and ``gacp purge``.

``groupe.yaml`` may say when the accompaniment ends and for how many months
the material is kept afterwards::

    conservation:
      fin_accompagnement: 2026-09-30
      duree_mois: 24

``gacp status`` warns (W701) once the deadline has passed; ``gacp purge DIR``
deletes the store (with its WAL and shared-memory files) and the caches, i.e.
the whole ``.gacp`` folder. Transcripts, ``groupe.yaml`` and the exports written
in the group folder are the facilitator's files and are left where they are.
"""
from __future__ import annotations

import shutil
from datetime import date as Date
from pathlib import Path

from ..errors import E, W, GacpError
from ..models import Retention

FIX = ("Écrivez par exemple, au niveau du groupe :\n  conservation:\n    fin_accompagnement: "
       "2026-09-30\n    duree_mois: 24")


def parse_retention(value: object, *, path: Path, doc) -> Retention | None:
    """Validate ``conservation``; None when absent.

    Raises:
        GacpError: E700 naming the line and the expected shape.
    """
    from ..corpus.yamlio import line_of, schema_date

    if value is None:
        return None
    line = line_of(doc, ["conservation"])
    if not isinstance(value, dict):
        raise GacpError(E.E700, path=path, line=line, where="conservation",
                        problem="ce n'est pas une liste de clés", fix=FIX)
    unknown = sorted(set(map(str, value)) - {"fin_accompagnement", "duree_mois"})
    if unknown:
        raise GacpError(E.E700, path=path, line=line, where="conservation",
                        problem=f"clé(s) inconnue(s) {', '.join(unknown)}", fix=FIX)
    end, months = schema_date(value.get("fin_accompagnement")), value.get("duree_mois")
    if not isinstance(end, Date):
        raise GacpError(E.E700, path=path, line=line_of(doc, ["conservation", "fin_accompagnement"]),
                        where="conservation.fin_accompagnement",
                        problem=f"date absente ou illisible « {end} »", fix=FIX)
    if isinstance(months, bool) or not isinstance(months, int) or months < 0:
        raise GacpError(E.E700, path=path, line=line_of(doc, ["conservation", "duree_mois"]),
                        where="conservation.duree_mois",
                        problem=f"« {months} » n'est pas un nombre entier de mois", fix=FIX)
    return Retention(end=end, months=months)


def retention_warning(group, today: Date | None = None) -> str | None:
    """W701 when the retention period of the group has passed, else None."""
    retention = group.retention
    today = today or Date.today()
    if retention is None or today <= retention.deadline:
        return None
    return W.W701.format(folder=group.folder, deadline=retention.deadline.isoformat(),
                         end=retention.end.isoformat(), months=retention.months)


def purge_targets(folder: Path | str) -> list[Path]:
    """What ``gacp purge`` deletes: the files of the ``.gacp`` folder (store, WAL, caches)."""
    from ..store import STORE_DIRNAME

    root = Path(folder) / STORE_DIRNAME
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def purge(folder: Path | str) -> list[Path]:
    """Delete the store and the caches of a group folder; return the files deleted.

    Raises:
        GacpError: E709 when there is nothing to delete.
    """
    from ..store import STORE_DIRNAME

    root = Path(folder) / STORE_DIRNAME
    files = purge_targets(folder)
    if not root.exists():
        raise GacpError(E.E709, folder=folder)
    shutil.rmtree(root)
    return files
