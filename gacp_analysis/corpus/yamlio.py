"""YAML the facilitator writes: parsed safely, errors with line numbers."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import E, GacpError


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps an impossible date (2026-13-45) as text for a clear error."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def load_yaml_text(text: str, *, path: Path | str, first_line: int = 1,
                   template: str = E.E102) -> tuple[object, yaml.Node | None]:
    """Parse YAML; return the data and its node tree (for :func:`line_of`).

    Args:
        first_line: line of ``text``'s first line in the file (front matter).
        template: the message used for a syntax error (E102 or E118).
    """
    try:
        doc = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise GacpError(template, path=path, line=line, problem=problem) from exc
    return data, doc


def line_of(doc: yaml.Node | None, keys: list, *, first_line: int = 1) -> int:
    """1-based line of the node at ``keys`` (str keys, int indexes); best effort."""
    node = doc
    line = first_line
    for key in keys:
        if node is None:
            break
        line = node.start_mark.line + first_line
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + first_line
    return line
