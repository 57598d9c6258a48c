"""The codebook: the default GACP codes, and a group's changes to them.

The default codebook ships as ``gacp_analysis/data/codebook.yaml``. A group
folder may hold its own ``codebook.yaml`` that adds codes, adds or removes
markers, edits texts, or switches codes off (``actif: false``)::

    codes:
      travail.contrainte:
        ajouter:
          expressions: ["la badgeuse"]
        retirer: ["bruit"]
      recit.surprise:
        actif: false
      local.transmissions:          # a new code
        label: "Transmissions"
        famille: travail
        definition: "Le passage de consignes entre équipes."
        marqueurs:
          expressions: ["transmissions", "relève"]

Every problem raises a :class:`GacpError` naming the file, the line and the code.
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import yaml

from ..corpus.yamlio import SchemaProblem, check_schema, line_of, load_yaml_text, type_name
from ..errors import E, GacpError

CODEBOOK_FILENAME = "codebook.yaml"
DEFAULT_PATH = "gacp_analysis/data/codebook.yaml"
CONTEXTS = ("negation", "discours_rapporte")


@dataclass(frozen=True)
class Marker:
    """One marker of a code: a phrase (``kind == "expression"``) or a token pattern.

    ``name`` is what the coder reports as the rule that fired: the phrase
    itself, or the pattern's name.
    """

    name: str
    kind: str  # "expression" | "motif"
    pattern: tuple = ()  # token pattern (tuple of dicts) for motifs


@dataclass(frozen=True)
class Code:
    """A code of the codebook."""

    id: str
    label: str
    family: str
    definition: str = ""
    inclusion: str = ""
    exclusion: str = ""
    examples: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()
    blocked_by: tuple[str, ...] = ()
    reported_to: str | None = None
    negated_to: str | None = None
    exchange: bool = False
    active: bool = True


@dataclass(frozen=True)
class Codebook:
    """The codes in force for a group, with the families that aggregate them."""

    codes: tuple[Code, ...]
    families: dict
    sources: tuple[str, ...] = ()

    def get(self, code_id: str) -> Code | None:
        return next((c for c in self.codes if c.id == code_id), None)

    @property
    def active_codes(self) -> tuple[Code, ...]:
        return tuple(c for c in self.codes if c.active)

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the active codes, in codebook order."""
        return tuple(c.id for c in self.active_codes)

    @property
    def signature(self) -> str:
        """Short hash of everything that changes coding results (not of file paths)."""
        payload = [[c.id, c.family, c.active, c.exchange, c.reported_to, c.negated_to, list(c.blocked_by),
                    [[m.name, m.kind, list(m.pattern)] for m in c.markers]] for c in self.codes]
        blob = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def default_codebook_text() -> str:
    return resources.files("gacp_analysis").joinpath("data", CODEBOOK_FILENAME).read_text("utf-8")


@functools.lru_cache(maxsize=1)
def default_codebook() -> Codebook:
    """The codebook shipped with the package (parsed once per process).

    Its schema and token patterns are checked by the test suite, not at each start:
    importing spaCy for that would cost a second on every unchanged ``gacp code`` run.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(default_codebook_text(), Loader=loader)
    return _parse_default(data, None, path=DEFAULT_PATH, validate=False)


def load_codebook(folder: Path | str | None = None, *, path: Path | str | None = None) -> Codebook:
    """The default codebook, with a group's ``codebook.yaml`` applied if there is one.

    Args:
        folder: a group folder; its ``codebook.yaml`` (optional) changes the default.
        path: an explicit group codebook file (instead of ``folder/codebook.yaml``).
    """
    codebook = default_codebook()
    if path is None and folder is not None:
        candidate = Path(folder) / CODEBOOK_FILENAME
        path = candidate if candidate.exists() else None
    if path is not None:
        path = Path(path)
        data, doc = load_yaml_text(path.read_text(encoding="utf-8"), path=path, template=E.E200)
        codebook = apply_changes(codebook, data, doc, path=path)
    return codebook


def _parse_default(data: object, doc: object, *, path: str, validate: bool = True) -> Codebook:
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise GacpError(E.E204, path=path)
    families = {k: dict(v or {}) for k, v in (data.get("familles") or {}).items()}
    codes = tuple(_parse_code(code_id, entry, doc=doc, path=path, families=families,
                              validate=validate)
                  for code_id, entry in data["codes"].items())
    codebook = Codebook(codes=codes, families=families, sources=(path,))
    _check_targets(codebook, doc=doc, path=path)
    return codebook


def apply_changes(codebook: Codebook, data: object, doc: object, *, path: Path) -> Codebook:
    """Apply a group's codebook file to ``codebook``; return the new codebook.

    The file is first validated against the published schema
    ``gacp_analysis/data/schemas/codebook.schema.json``; what the schema cannot
    say (a family, a marker to remove or a target code that must exist, a
    spaCy pattern) is checked here.
    """
    if data is None:
        return codebook
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise GacpError(E.E204, path=path)
    problem = check_schema(data, "codebook", doc)
    if problem is not None:
        raise _schema_error(problem, path=path, doc=doc, known={c.id for c in codebook.codes})
    families = dict(codebook.families)
    for key, value in (data.get("familles") or {}).items():
        families[key] = dict(value or {})
    codes = {c.id: c for c in codebook.codes}
    for code_id, entry in data["codes"].items():
        code_id = str(code_id)
        entry = entry or {}
        if code_id not in codes:
            codes[code_id] = _parse_code(code_id, entry, doc=doc, path=path, families=families)
            continue
        codes[code_id] = _change_code(codes[code_id], entry, doc=doc, path=path, families=families)
    result = Codebook(codes=tuple(codes.values()), families=families,
                      sources=(*codebook.sources, str(path)))
    _check_targets(result, doc=doc, path=path)
    return result


_TEXT_FIX = "Écrivez le texte entre guillemets."
_MARKERS_FIX = "Écrivez « expressions: [...] » et/ou « motifs: {nom: [...]} »."
_FIXES = {  # key of a code -> (problem, fix) when its value has the wrong type
    "exemples": ("« exemples » doit être une liste de textes",
                 'Écrivez par exemple exemples: ["L\'autre nuit on était deux.", "..."].'),
    "retirer": ("« retirer » doit être une liste de marqueurs",
                'Écrivez par exemple retirer: ["bruit", "planning"].'),
    "bloque_si": ("« bloque_si » doit être une liste de contextes",
                  "Contextes possibles : " + ", ".join(CONTEXTS) + "."),
    "marqueurs": ("les marqueurs doivent être un dictionnaire", _MARKERS_FIX),
    "ajouter": ("les marqueurs doivent être un dictionnaire", _MARKERS_FIX),
}


def _schema_error(problem: SchemaProblem, *, path: Path, doc: object, known: set) -> GacpError:
    """The French, numbered error for the first schema problem of a group's codebook."""
    where = problem.path
    if where[0] == "codes" and len(where) >= 2:
        return _code_error(problem, str(where[1]), where[2:], path=path, doc=doc, known=known)
    if where[0] == "familles" and len(where) >= 2:
        family = str(where[1])
        if len(where) == 2:
            text, fix = "la définition doit être un dictionnaire de clés", "Écrivez « label: ... » et « definition: ... »."
        elif problem.kind == "unknown_key":
            text, fix = f"clé « {where[2]} » inconnue", "Clés possibles : label, definition."
        else:
            text, fix = f"« {where[2]} » doit être un texte", _TEXT_FIX
        return GacpError(E.E154, path=path, line=problem.line, family=family, problem=text, fix=fix)
    if problem.kind == "unknown_key":
        close = difflib.get_close_matches(str(where[0]), list(problem.expected), n=1, cutoff=0.6)
        return GacpError(E.E155, path=path, line=problem.line,
                         problem=f"clé « {where[0]} » inconnue en tête de grille",
                         fix=(f"Vouliez-vous dire « {close[0]} » ? " if close else "")
                             + "Clés possibles : " + ", ".join(problem.expected) + ".")
    fix = ("Écrivez « version: 1 »." if where[0] == "version"
           else "Écrivez « familles: » puis, en retrait, un identifiant par famille.")
    return GacpError(E.E155, path=path, line=problem.line,
                     problem=f"« {where[0]} » doit être {problem.type_names()}", fix=fix)


def _code_error(problem: SchemaProblem, code_id: str, rest: tuple, *, path: Path, doc: object,
                known: set) -> GacpError:
    def error(text: str, fix: str, template: str = E.E201) -> GacpError:
        return GacpError(template, path=path, line=problem.line, code=code_id, problem=text, fix=fix)

    if not rest:
        problem = replace(problem, line=_key_line(doc, ["codes", code_id]))
        return error("la définition doit être un dictionnaire de clés",
                     "Écrivez par exemple « actif: false » ou « ajouter: ... » sous le code."
                     if code_id in known else "Donnez au moins « label », « famille » et « definition ».")
    key = str(rest[0])
    if len(rest) == 1 and problem.kind == "unknown_key":
        close = difflib.get_close_matches(key, list(problem.expected), n=1, cutoff=0.6)
        return error(f"clé « {key} » inconnue", (f"Vouliez-vous dire « {close[0]} » ? " if close else "")
                     + "Clés possibles : " + ", ".join(sorted(problem.expected)) + ".")
    if key in ("actif", "echange"):
        return error(f"« {key} » vaut « {problem.value} »", f"Écrivez « {key}: true » ou « {key}: false ».")
    if key in ("discours_rapporte_vers", "negation_vers"):
        return error(f"« {key} » doit être l'identifiant d'un seul code, pas {type_name(problem.value)}",
                     f"Écrivez par exemple « {key}: recit.echec »."
                     if key == "negation_vers" else f"Écrivez par exemple « {key}: travail.contrainte ».")
    if key == "bloque_si" and problem.kind == "choice":
        return error(f"contexte « {problem.value} » inconnu dans « bloque_si »",
                     "Contextes possibles : " + ", ".join(CONTEXTS) + ".")
    if key in ("marqueurs", "ajouter") and len(rest) > 1:
        return _markers_error(problem, rest[1:], error, code_id=code_id, path=path)
    if key in _FIXES:
        return error(*_FIXES[key])
    return error(f"« {key} » doit être un texte", _TEXT_FIX)


def _markers_error(problem: SchemaProblem, rest: tuple, error, *, code_id: str, path: Path) -> GacpError:
    key = str(rest[0])
    if len(rest) == 1 and problem.kind == "unknown_key":
        return error(f"clé de marqueurs « {key} » inconnue", "Clés possibles : expressions, motifs.")
    if key == "expressions" and len(rest) == 1:
        return error("« expressions » doit être une liste",
                     'Écrivez par exemple expressions: ["je suis épuisée", "à bout"].')
    if key == "expressions":
        return error(f"expression vide ou non textuelle ({problem.value!r})",
                     "Chaque expression est un texte entre guillemets.")
    if len(rest) == 1:
        return error("« motifs » doit être un dictionnaire nom -> liste de jetons",
                     'Écrivez par exemple motifs: {epuise: [{LEMMA: "épuiser"}]}.')
    return GacpError(E.E203, path=path, line=problem.line, code=code_id, marker=str(rest[1]),
                     problem="ce n'est pas une liste de jetons")


def _change_code(code: Code, entry: dict, *, doc: object, path: Path | str, families: dict) -> Code:
    where = ["codes", code.id]
    changes: dict = {}
    for key, attr in (("label", "label"), ("definition", "definition"), ("inclusion", "inclusion"),
                      ("exclusion", "exclusion")):
        if key in entry:
            changes[attr] = _text(entry, key)
    if "exemples" in entry:
        changes["examples"] = _examples(entry)
    if "famille" in entry:
        changes["family"] = _family(code.id, entry, doc=doc, path=path, families=families)
    if "actif" in entry:
        changes["active"] = entry["actif"]
    if "echange" in entry:
        changes["exchange"] = entry["echange"]
    if "bloque_si" in entry:
        changes["blocked_by"] = _contexts(entry)
    if "discours_rapporte_vers" in entry:
        changes["reported_to"] = entry["discours_rapporte_vers"] or None
    if "negation_vers" in entry:
        changes["negated_to"] = entry["negation_vers"] or None
    markers = list(code.markers)
    if "marqueurs" in entry:  # replaces the markers wholesale
        markers = list(_markers(code.id, entry["marqueurs"], doc=doc, path=path, where=[*where, "marqueurs"]))
    if "retirer" in entry:
        removals = entry["retirer"]
        if isinstance(removals, str):
            removals = [removals]
        for i, name in enumerate(removals):
            if not any(m.name == name for m in markers):
                known = ", ".join(f"« {m.name} »" for m in markers[:12]) + (" …" if len(markers) > 12 else "")
                raise GacpError(E.E202, path=path, line=line_of(doc, [*where, "retirer", i]),
                                code=code.id, marker=name, known=known or "aucun")
            markers = [m for m in markers if m.name != name]
    if "ajouter" in entry:
        known = {m.name for m in markers}
        markers += [m for m in _markers(code.id, entry["ajouter"], doc=doc, path=path,
                                        where=[*where, "ajouter"]) if m.name not in known]
    changes["markers"] = tuple(markers)
    return replace(code, **changes)


def _parse_code(code_id: str, entry: dict, *, doc: object, path: Path | str, families: dict,
                validate: bool = True) -> Code:
    """A new code (or one of the default codebook), its file already checked by the schema."""
    line = _key_line(doc, ["codes", code_id])
    for key in ("label", "famille"):
        if not str(entry.get(key) or "").strip():
            raise GacpError(E.E201, path=path, line=line, code=code_id,
                            problem=f"clé « {key} » absente ou vide pour un nouveau code",
                            fix=f"Ajoutez « {key}: ... » (ou corrigez l'identifiant s'il s'agit "
                                "d'un code existant).")
    if "ajouter" in entry or "retirer" in entry:
        raise GacpError(E.E201, path=path, line=line, code=code_id,
                        problem="« ajouter »/« retirer » s'appliquent à un code existant, or ce code "
                                "n'existe pas dans la grille par défaut",
                        fix="Vérifiez l'identifiant, ou donnez ses marqueurs sous « marqueurs ».")
    return Code(
        id=code_id,
        label=_text(entry, "label"),
        family=_family(code_id, entry, doc=doc, path=path, families=families),
        definition=_text(entry, "definition"),
        inclusion=_text(entry, "inclusion"),
        exclusion=_text(entry, "exclusion"),
        examples=_examples(entry),
        markers=_markers(code_id, entry.get("marqueurs") or {}, doc=doc, path=path,
                         where=["codes", code_id, "marqueurs"], validate=validate),
        blocked_by=_contexts(entry),
        reported_to=entry.get("discours_rapporte_vers") or None,
        negated_to=entry.get("negation_vers") or None,
        exchange=entry.get("echange", False),
        active=entry.get("actif", True),
    )


def _key_line(doc, keys: list) -> int:
    """1-based line of the *key* ``keys[-1]`` (where a reader looks for the code), best effort."""
    node, line = doc, 1
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        else:
            return line_of(doc, keys)
    return line


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    return "" if value is None else str(value).strip()


def _examples(entry: dict) -> tuple[str, ...]:
    examples = entry.get("exemples") or []
    if not isinstance(examples, list):
        examples = [examples]
    return tuple(str(e).strip() for e in examples)


def _family(code_id: str, entry: dict, *, doc: object, path: Path | str, families: dict) -> str:
    family = str(entry.get("famille", "")).strip()
    if family not in families and family != code_id:
        raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code_id, "famille"]),
                        code=code_id, problem=f"famille « {family} » inconnue",
                        fix="Familles possibles : " + ", ".join(sorted(families)) +
                            f" (ou « {code_id} » pour un code sans famille).")
    return family


def _contexts(entry: dict) -> tuple[str, ...]:
    value = entry.get("bloque_si") or []
    return (value,) if isinstance(value, str) else tuple(value)


def _markers(code_id: str, value: dict, *, doc: object, path: Path | str, where: list,
             validate: bool = True) -> tuple[Marker, ...]:
    markers: dict[str, Marker] = {}
    for phrase in (value or {}).get("expressions") or []:
        name = " ".join(phrase.split())
        markers.setdefault(name, Marker(name=name, kind="expression"))
    for name, pattern in ((value or {}).get("motifs") or {}).items():
        if validate:
            _check_pattern(code_id, str(name), pattern, doc=doc, path=path,
                           where=[*where, "motifs", name])
        markers[str(name)] = Marker(name=str(name), kind="motif", pattern=tuple(pattern))
    return tuple(markers.values())


def _check_pattern(code_id: str, name: str, pattern: object, *, doc: object, path: Path | str,
                   where: list) -> None:
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    line = line_of(doc, where)  # the schema has checked that it is a list of token dicts
    try:
        Matcher(Vocab(), validate=True).add(name, [pattern])
    except Exception as exc:  # spaCy raises ValueError/MatchPatternError with its own text
        problem = " ".join(str(exc).split())[:200]
        raise GacpError(E.E203, path=path, line=line, code=code_id, marker=name, problem=problem) from exc


def _check_targets(codebook: Codebook, *, doc: object, path: Path | str) -> None:
    ids = {c.id for c in codebook.codes}
    for code in codebook.codes:
        for key, target in (("discours_rapporte_vers", code.reported_to),
                            ("negation_vers", code.negated_to)):
            if target and target not in ids:
                raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code.id, key]),
                                code=code.id, problem=f"« {key} » désigne « {target} », code inconnu",
                                fix="Indiquez l'identifiant d'un code de la grille.")
