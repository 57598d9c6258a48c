"""French for argparse through gettext: its own messages, translated in a catalog.

argparse marks every message it prints with gettext (``argparse._`` and
``argparse.ngettext``, which look up the process's text domain in the user's
locale). gacp speaks French whatever the locale, so the catalog
``data/locale/fr/LC_MESSAGES/argparse.po`` is loaded with gettext for the
French language explicitly and handed to argparse while gacp's parser runs
(:func:`argparse_in_french`); other parsers in the same process keep theirs.
The ``.po`` file is the source: it is compiled to the ``.mo`` form gettext
reads, in memory, on first use.
"""
from __future__ import annotations

import argparse
import ast
import functools
import gettext
import io
import struct
import threading
from contextlib import contextmanager
from importlib import resources

DOMAIN = "argparse"
LANGUAGE = "fr"


def parse_po(text: str) -> dict[str, str]:
    """The entries of a ``.po`` file as gettext's ``.mo`` stores them.

    A plural entry is keyed by ``singular\\0plural`` and holds its forms joined
    by ``\\0``; the header is the entry of the empty msgid.
    """
    entries: dict[str, str] = {}
    current: dict[str, list[str]] = {}
    field = None

    def flush() -> None:
        if "msgid" in current:
            key = "".join(current["msgid"])
            if "msgid_plural" in current:
                key += "\0" + "".join(current["msgid_plural"])
                forms = sorted(k for k in current if k.startswith("msgstr["))
                entries[key] = "\0".join("".join(current[k]) for k in forms)
            else:
                entries[key] = "".join(current.get("msgstr", []))
        current.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            current[field].append(ast.literal_eval(line))
            continue
        keyword, _, rest = line.partition(" ")
        if keyword == "msgid":
            flush()
        field = keyword
        current[field] = [ast.literal_eval(rest.strip())]
    flush()
    return entries


def compile_mo(entries: dict[str, str]) -> bytes:
    """The GNU ``.mo`` bytes of ``entries`` (the layout of CPython's Tools/i18n/msgfmt.py)."""
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for key in keys:
        k, v = key.encode("utf-8"), entries[key].encode("utf-8")
        offsets.append((len(ids), len(k), len(strs), len(v)))
        ids += k + b"\0"
        strs += v + b"\0"
    key_start = 7 * 4 + 16 * len(keys)
    value_start = key_start + len(ids)
    table = []
    for o1, l1, _o2, _l2 in offsets:
        table += [l1, o1 + key_start]
    for _o1, _l1, o2, l2 in offsets:
        table += [l2, o2 + value_start]
    header = struct.pack("<Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    return header + struct.pack(f"<{len(table)}i", *table) + ids + strs


def po_text() -> str:
    return (resources.files("gacp_analysis").joinpath("data", "locale", LANGUAGE, "LC_MESSAGES",
                                                       f"{DOMAIN}.po").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def argparse_translation() -> gettext.GNUTranslations:
    """argparse's messages in French, as a gettext translation."""
    return gettext.GNUTranslations(io.BytesIO(compile_mo(parse_po(po_text()))))


_lock = threading.RLock()
_depth = 0


@contextmanager
def argparse_in_french():
    """While the block runs, argparse looks its messages up in the French catalog.

    Re-entrant: a sub-command's parser runs inside the main parser's call.
    """
    global _depth
    translation = argparse_translation()
    with _lock:
        if _depth == 0:
            saved = argparse._, argparse.ngettext
            argparse._, argparse.ngettext = translation.gettext, translation.ngettext
        _depth += 1
        try:
            yield translation
        finally:
            _depth -= 1
            if _depth == 0:
                argparse._, argparse.ngettext = saved
