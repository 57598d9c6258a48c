"""DOCX to PDF or ODT through LibreOffice in headless mode.

Everything stays on the machine: LibreOffice runs as a local process, with
a private profile in a temporary folder (``-env:UserInstallation``) so it
neither reads nor changes the user's own LibreOffice settings, and does not
collide with a LibreOffice window the facilitator has open.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import E, GacpError

SOFFICE_NAMES = ("soffice", "libreoffice")
FILTERS = {"pdf": "pdf:writer_pdf_Export", "odt": "odt"}
TIMEOUT_S = 300


def find_soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    override = os.environ.get("GACP_SOFFICE")
    if override is not None:
        return override or None  # GACP_SOFFICE="" simulates a machine without LibreOffice
    for name in SOFFICE_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(docx: Path, fmt: str, *, soffice: str | None = None) -> Path:
    """Convert a DOCX file to ``fmt`` (``"pdf"`` or ``"odt"``) next to it.

    Returns:
        The written file (same name, new suffix).

    Raises:
        GacpError: E401 when LibreOffice fails or writes nothing.
    """
    soffice = soffice or find_soffice()
    docx = Path(docx).resolve()
    target = docx.with_suffix(f".{fmt}")
    if soffice is None:
        raise GacpError(E.E401, path=target, fmt=fmt.upper(), problem="LibreOffice introuvable")
    with tempfile.TemporaryDirectory(prefix="gacp-soffice-") as tmp:
        profile = Path(tmp, "profil").as_uri()
        outdir = Path(tmp, "sortie")
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
               "--nolockcheck", "--convert-to", FILTERS[fmt], "--outdir", str(outdir), str(docx)]
        env = {**os.environ, "HOME": tmp}  # LibreOffice writes under $HOME on first start
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, env=env,
                                  stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise GacpError(E.E401, path=target, fmt=fmt.upper(),
                            problem=f"pas de réponse après {TIMEOUT_S} s") from None
        except OSError as exc:
            raise GacpError(E.E401, path=target, fmt=fmt.upper(), problem=str(exc)) from exc
        produced = outdir / target.name
        if proc.returncode != 0 or not produced.is_file() or produced.stat().st_size == 0:
            problem = (proc.stderr or proc.stdout or f"code de sortie {proc.returncode}").strip()
            raise GacpError(E.E401, path=target, fmt=fmt.upper(), problem=problem.splitlines()[-1]
                            if problem else "aucun fichier produit")
        shutil.move(str(produced), target)
    return target
