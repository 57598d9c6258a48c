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


def parse_retention(value: dict | None) -> Retention | None:
    """Read ``conservation``, already validated by ``groupe.schema.json`` (E152); None when absent."""
    from ..corpus.yamlio import schema_date

    if value is None:
        return None
    return Retention(end=schema_date(value["fin_accompagnement"]), months=value["duree_mois"])


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
