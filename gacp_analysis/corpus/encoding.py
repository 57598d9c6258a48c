"""Decoding transcripts as facilitators get them: UTF-8, BOM, CRLF, Windows-1252."""
from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import E, W, GacpError

# Bytes undefined in Windows-1252: their presence means the file is neither UTF-8 nor 1252.
_UNDEFINED_1252 = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def decode(data: bytes, *, path: Path | str) -> tuple[str, list[str]]:
    """Decode bytes to text with ``\\n`` line ends; return (text, warnings).

    Raises:
        GacpError: E115 when the bytes are neither UTF-8 (or UTF-16 with BOM) nor Windows-1252.
    """
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        warnings.append(W.W101.format(path=path))
        data = data[len(codecs.BOM_UTF8):]
        text = _strict(data, "utf-8", path)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        warnings.append(W.W107.format(path=path))
        text = _strict(data, "utf-16", path)
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            bad = next((i for i, b in enumerate(data) if b in _UNDEFINED_1252 or b == 0), None)
            if bad is not None:
                raise _error(data, bad, path) from None
            text = data.decode("cp1252")
            warnings.append(W.W103.format(path=path))
    if "\x00" in text:
        raise _error(data, data.index(b"\x00"), path)
    if "\r" in text:
        if "\r\n" in text:
            warnings.append(W.W102.format(path=path))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, warnings


def _strict(data: bytes, encoding: str, path: Path | str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _error(data, exc.start, path) from None


def _error(data: bytes, offset: int, path: Path | str) -> GacpError:
    line = data.count(b"\n", 0, offset) + 1
    return GacpError(E.E115, path=path, line=line, offset=offset)


def read_text(path: Path) -> tuple[str, list[str]]:
    """Read and decode a text file (see :func:`decode`)."""
    return decode(Path(path).read_bytes(), path=path)
