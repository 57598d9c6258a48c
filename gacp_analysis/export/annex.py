"""``gacp bilan``: import and code what is new, write the annex, audit it.

:func:`write_bilan` is the whole job: the DOCX from :mod:`.docx_writer`, PDF
and ODT from it through LibreOffice (:mod:`.convert`), HTML from the same
document, as one light page (:mod:`.html`), then every file written is audited
(:mod:`.audit`); a file that still holds a real name is deleted and the run
fails, so a leaking annex never stays on disk.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..corpus.importer import ImportReport, import_group
from ..errors import E, W, GacpError
from ..privacy import group_secrets
from ..store import open_store
from .audit import AuditReport, audit_paths
from .bilan import assemble_bilan, slug
from .content import Document
from .convert import convert, find_soffice
from .docx_writer import write_docx

FORMATS = ("docx", "odt", "pdf", "html")
DEFAULT_FORMATS = ("docx", "pdf", "html")
OUT_DIRNAME = "bilan"
FIGURES_DIRNAME = "figures"


def parse_formats(value: str | Iterable[str]) -> tuple[str, ...]:
    """``"docx,pdf"`` -> ``("docx", "pdf")``, in :data:`FORMATS` order.

    Raises:
        GacpError: E400 (exit code 2) for an unknown format.
    """
    items = value.split(",") if isinstance(value, str) else list(value)
    wanted = {item.strip().lower().lstrip(".") for item in items if item.strip()}
    for item in sorted(wanted):
        if item not in FORMATS:
            raise GacpError(E.E400, value=item, known=", ".join(FORMATS), exit_code=2)
    if not wanted:
        raise GacpError(E.E400, value=value if isinstance(value, str) else "",
                        known=", ".join(FORMATS), exit_code=2)
    return tuple(f for f in FORMATS if f in wanted)


@dataclass
class BilanReport:
    """What ``gacp bilan`` did."""

    out: Path
    files: list[Path] = field(default_factory=list)  # the annex, by format
    figures: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # formats that could not be written
    imported: ImportReport | None = None
    coded: int | None = None  # segments coded by this run; None when coding was skipped
    audit: AuditReport | None = None
    document: Document | None = None


def code_new(folder: Path) -> int:
    """Code what is new with the automatic coder (``gacp code``); segments it coded."""
    from ..coding.run import code_group

    return code_group(folder).coded


def write_bilan(folder: Path | str, *, out: Path | str | None = None,
                formats: str | Iterable[str] = DEFAULT_FORMATS, code: bool = True) -> BilanReport:
    """Import, code, and write the bilan annex of a group in the formats asked.

    Args:
        folder: the group folder.
        out: where to write (default: ``<folder>/bilan``).
        formats: among :data:`FORMATS`.
        code: run the automatic coder on what is new first.

    Raises:
        GacpError: bad input (nothing written), or E407 when a written file still holds
            a real name (that file is deleted).
    """
    formats = parse_formats(formats)
    imported = import_group(folder)
    group = imported.group
    report = BilanReport(out=Path(out) if out else group.folder / OUT_DIRNAME, imported=imported,
                         warnings=list(imported.warnings))
    if code:
        report.coded = code_new(group.folder)
    document = assemble_bilan(group, figures_dir=report.out / FIGURES_DIRNAME)
    report.document = document
    if not _codings_in_force(group.folder):
        report.warnings.append(W.W401.format(folder=group.folder))
    report.figures = sorted((report.out / FIGURES_DIRNAME).glob("*.png"))
    stem = f"bilan-{slug(group.label)}"
    docx = write_docx(document, report.out / f"{stem}.docx")
    written = [docx]
    office = [f for f in ("odt", "pdf") if f in formats]
    soffice = find_soffice() if office else None
    if office and soffice is None:
        report.warnings.append(W.W400.format(formats=", ".join(f.upper() for f in office),
                                             folder=group.folder))
    elif office:
        for fmt in office:
            try:
                written.append(convert(docx, fmt, soffice=soffice))
            except GacpError as exc:
                report.errors.append(str(exc))
    if "html" in formats:
        from .html import write_html

        try:
            written.append(write_html(document, group, report.out / f"{stem}.html"))
        except GacpError as exc:
            report.errors.append(str(exc))
    if "docx" not in formats:
        docx.unlink()
        written.remove(docx)
    report.files = written
    report.audit = audit_paths([*written, *report.figures], group_secrets(group))
    if not report.audit.ok:
        leaking = report.audit.leaking_files()
        for path in leaking:
            path.unlink(missing_ok=True)
        raise GacpError(E.E407, count=len(leaking), folder=group.folder,
                        files=" ; ".join(report.audit.messages()))
    return report


def _codings_in_force(folder: Path) -> int:
    with open_store(folder, create=False) as store:
        return store.codings_in_force_count()
