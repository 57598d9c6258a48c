"""Notebooks without outputs: what is committed or shared carries no transcript text.

An executed notebook holds what its cells printed: tables of excerpts, names of
speakers, figures. The notebooks of the repository are stored without outputs
(``tests/test_notebook_outputs.py`` and the pre-commit hook fail otherwise), and
``gacp strip-notebook FILE...`` removes outputs, execution counts and the
widget state from a notebook before it is shared, with nbstripout's
:func:`nbstripout.strip_output`.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import E, GacpError

# Metadata that may carry output (the widget state) or personal traces.
EXTRA_KEYS = ["metadata.widgets", "cell.metadata.execution", "cell.metadata.collapsed",
              "cell.metadata.scrolled"]


def _read(path: Path):
    import nbformat

    if path.suffix != ".ipynb":
        raise GacpError(E.E707, path=path)
    try:
        return nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable notebook gets the same message
        raise GacpError(E.E706, path=path, problem=str(exc).splitlines()[0][:200]) from exc


def has_outputs(nb) -> bool:
    """True when a code cell has outputs or an execution count, or widget state is saved."""
    if nb.metadata.get("widgets"):
        return True
    return any(cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
               for cell in nb.cells)


def notebooks_with_outputs(paths) -> list[Path]:
    """The notebooks among ``paths`` (files) that carry outputs."""
    return [Path(p) for p in paths if has_outputs(_read(Path(p)))]


def strip_notebook(path: Path | str) -> bool:
    """Remove outputs, execution counts and widget state from a notebook, in place.

    Returns:
        True when the file changed.

    Raises:
        GacpError: E707 (not a .ipynb), E706 (unreadable).
    """
    import nbformat
    from nbstripout import strip_output

    path = Path(path)
    nb = _read(path)
    before = nbformat.writes(nb)
    strip_output(nb, keep_output=False, keep_count=False, keep_id=True, extra_keys=EXTRA_KEYS)
    after = nbformat.writes(nb)
    if after == before:
        return False
    path.write_text(after + ("\n" if not after.endswith("\n") else ""), encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """``python -m gacp_analysis.confidentiality.notebooks [--check] FILE...`` (pre-commit hook)."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    files = [a for a in args if a != "--check"]
    try:
        if check:
            dirty = notebooks_with_outputs(files)
            if dirty:
                names = " ".join(str(p) for p in dirty)
                print(f"gacp : erreur : {E.E708.format(count=len(dirty), files=names)}", file=sys.stderr)
                return 1
            return 0
        for f in files:
            if strip_notebook(f):
                print(f"sorties effacées : {f}")
    except GacpError as exc:
        print(f"gacp : erreur : {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
