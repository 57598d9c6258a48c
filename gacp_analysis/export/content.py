"""The building blocks of an exported document, independent of any file format.

:mod:`.bilan` assembles a :class:`Document` from the store (already masked,
already filtered by consent); :mod:`.docx_writer` renders it. Keeping the two
apart lets tests check what the annex says without opening a file, and lets
another writer (ODT, Markdown...) render the same content.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of body text."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with a caption (« Tableau N – caption »), header row first."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""  # how to read it, printed under the table


@dataclass(frozen=True)
class Figure:
    """A PNG image with a caption (« Figure N – caption »)."""

    caption: str
    path: Path
    note: str = ""


@dataclass(frozen=True)
class Quote:
    """A verbatim excerpt, already masked, from a participant who consented."""

    text: str
    source: str  # e.g. « Ambre, séance 3 »
    speaker: str  # pseudonym (for consent checks in tests)
    segment_id: int


Block = Paragraph | Bullets | Table | Figure | Quote


@dataclass(frozen=True)
class Section:
    """A titled part of the document (heading level 1) with optional subsections (level 2)."""

    title: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()

    def walk(self):
        """This section and its subsections, depth first."""
        yield self
        for sub in self.subsections:
            yield from sub.walk()


@dataclass(frozen=True)
class Document:
    """A whole annex: cover, body sections and appendices.

    Attributes:
        title: the cover title.
        subtitle: the line under it.
        cover: (label, value) pairs printed on the cover.
        draft: True until the group validated the document; every page is then marked.
        status_line: the validation status in words, printed on the cover.
        meta_title: the file's title property (non-identifying).
        sections: the body.
        appendices: after the body, titled « Annexe ... ».
    """

    title: str
    subtitle: str
    cover: tuple[tuple[str, str], ...]
    draft: bool
    status_line: str
    meta_title: str
    sections: tuple[Section, ...] = ()
    appendices: tuple[Section, ...] = ()
    validated_on: Date | None = None
    keywords: tuple[str, ...] = field(default=())

    def all_sections(self):
        for section in (*self.sections, *self.appendices):
            yield from section.walk()

    def blocks(self, kind: type | None = None):
        """Every block of the document, optionally only those of one type."""
        for section in self.all_sections():
            for block in section.blocks:
                if kind is None or isinstance(block, kind):
                    yield block


def displayable(section: Section) -> list:
    """A section as a notebook shows it: headings and paragraphs as Markdown, tables as
    styled pandas tables with their caption and note — the same words as the annex."""
    import pandas as pd
    from IPython.display import Markdown

    out: list = []

    def walk(part: Section, level: int) -> None:
        out.append(Markdown(f"{'#' * level} {part.title}"))
        for block in part.blocks:
            if isinstance(block, Paragraph):
                out.append(Markdown(block.text))
            elif isinstance(block, Bullets):
                out.append(Markdown("\n".join(f"- {item}" for item in block.items)))
            elif isinstance(block, Table):
                frame = pd.DataFrame(list(block.rows), columns=list(block.header))
                out.append(frame.style.hide(axis="index").set_caption(block.caption))
                if block.note:
                    out.append(Markdown(f"_{block.note}_"))
            elif isinstance(block, Quote):
                out.append(Markdown(f"> « {block.text} » — {block.source}"))
        for sub in part.subsections:
            walk(sub, level + 1)

    walk(section, 2)
    return out
