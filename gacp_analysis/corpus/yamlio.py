"""YAML the facilitator writes: parsed safely, errors with line numbers."""
from __future__ import annotations

import functools
import json
import sys
from dataclasses import dataclass
from datetime import date as Date, datetime as DateTime
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
    loader = _Loader(text)  # a SafeLoader subclass
    try:  # one parse: the node tree, then the data built from it (what yaml.load does)
        doc = loader.get_single_node()
        data = loader.construct_document(doc) if doc is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark is not None else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise GacpError(template, path=path, line=line, problem=problem) from exc
    finally:
        loader.dispose()
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


# --- schema validation ---------------------------------------------------------------------------

SCHEMA_DIR = ("data", "schemas")
TYPE_NAMES = {"string": "un texte", "number": "un nombre", "integer": "un nombre entier",
              "boolean": "true ou false", "array": "une liste", "object": "un dictionnaire de clés",
              "null": "vide"}


@dataclass(frozen=True)
class SchemaProblem:
    """The first place where a YAML file breaks its published JSON schema.

    Attributes:
        path: keys and indexes to the offending value; for an unknown or a
            missing key, the path ends with that key.
        kind: ``unknown_key``, ``missing_key``, ``empty``, ``type``, ``choice``,
            ``date`` or ``minimum``.
        value: the offending value (``None`` for a missing key).
        expected: known keys (unknown key), type names (type), allowed values
            (choice) or the minimum.
        line: 1-based line in the file.
    """

    path: tuple
    kind: str
    value: object
    expected: tuple | object
    line: int

    @property
    def key(self) -> str:
        """The last key of :attr:`path` that is a name (not an index)."""
        return next((str(k) for k in reversed(self.path) if not isinstance(k, int)), "")

    def type_names(self) -> str:
        """The expected types in French (« une liste ou un texte »)."""
        names = [TYPE_NAMES.get(t, t) for t in self.expected if t != "null"]
        return " ou ".join(dict.fromkeys(names))


def schema_date(value: object) -> object:
    """A date as the schema accepts it: a YAML date, or ISO text (a quoted date).

    Anything else is returned unchanged, for the caller's own message.
    """
    if isinstance(value, str):
        try:
            return Date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def type_name(value: object) -> str:
    """The JSON type of a YAML value, in French (« une liste », « un nombre »...)."""
    if isinstance(value, bool):
        kind = "boolean"
    else:
        kind = {list: "array", dict: "object", int: "integer", float: "number", str: "string"}.get(
            type(value), "null")
    return TYPE_NAMES[kind]


def schema_path(name: str) -> Path:
    """The published JSON schema ``<name>.schema.json`` (``groupe``, ``codebook``)."""
    from importlib import resources

    return Path(str(resources.files("gacp_analysis").joinpath(*SCHEMA_DIR, f"{name}.schema.json")))


# The optional format checkers jsonschema imports when they are installed (JupyterLab
# installs them): they cost more at import than all of gacp's validation — rfc3987_syntax
# builds a grammar for the « iri » format, 1.8 s on every command, isoduration imports arrow.
# Our schemas use only the « date » format, which jsonschema checks with the standard library.
_SLOW_OPTIONAL_IMPORTS = ("rfc3987_syntax", "rfc3987", "rfc3986_validator", "rfc3339_validator",
                          "isoduration", "uri_template", "webcolors", "jsonpointer", "fqdn", "idna")


def _import_jsonschema():
    """jsonschema, imported without its slow optional format checkers (see above).

    Only the import of jsonschema itself is affected: the blocked modules stay importable
    by anyone afterwards.
    """
    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = [m for m in _SLOW_OPTIONAL_IMPORTS if m not in sys.modules]
    for module in blocked:
        sys.modules[module] = None  # makes « import module » raise ImportError
    try:
        import jsonschema
    finally:
        for module in blocked:
            del sys.modules[module]
    return jsonschema


@functools.lru_cache(maxsize=None)
def _validator(name: str):
    jsonschema = _import_jsonschema()

    schema = json.loads(schema_path(name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema itself is checked by the tests
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _as_json(value: object) -> object:
    """YAML data as JSON sees it: dates as ISO text, keys as text."""
    if isinstance(value, dict):
        return {str(k): _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, (Date, DateTime)):
        return value.isoformat()
    return value


def _problem(error, doc: yaml.Node | None, first_line: int) -> SchemaProblem:
    path = tuple(error.absolute_path)
    kind, value, expected = error.validator, error.instance, error.validator_value
    if kind == "additionalProperties":
        known = tuple((error.schema.get("properties") or {}))
        extra = next(k for k in error.instance if k not in known)
        line = line_of(doc, [*path, extra], first_line=first_line)
        return SchemaProblem((*path, extra), "unknown_key", error.instance[extra], known, line)
    line = line_of(doc, list(path), first_line=first_line)
    if kind == "required":
        missing = next(k for k in expected if k not in error.instance)
        return SchemaProblem((*path, missing), "missing_key", None, tuple(expected), line)
    if kind in ("minLength", "minItems", "pattern"):
        return SchemaProblem(path, "empty", value, expected, line)
    if kind == "type":
        return SchemaProblem(path, "type", value, tuple([expected] if isinstance(expected, str)
                                                        else expected), line)
    if kind in ("enum", "const"):
        return SchemaProblem(path, "choice", value, tuple(expected if kind == "enum" else [expected]),
                             line)
    if kind == "format":
        return SchemaProblem(path, "date", value, expected, line)
    return SchemaProblem(path, kind, value, expected, line)


def check_schema(data: object, name: str, doc: yaml.Node | None, *,
                 first_line: int = 1) -> SchemaProblem | None:
    """Validate YAML data against the published schema ``name``; the first problem, or None.

    The first problem is the one nearest the top of the file (then the
    deepest), which is where a reader starts correcting; a misspelt key is
    reported rather than the missing key it stands for.
    """
    errors = list(_validator(name).iter_errors(_as_json(data)))
    if not errors:
        return None
    problems = [_problem(e, doc, first_line) for e in errors]
    # A misspelt key is the cause of the "missing key" beside it: report the misspelling.
    misspelt = {p.path[:-1] for p in problems if p.kind == "unknown_key"}
    problems = [p for p in problems if not (p.kind == "missing_key" and p.path[:-1] in misspelt)]
    return min(problems, key=lambda p: (p.line, -len(p.path)))
