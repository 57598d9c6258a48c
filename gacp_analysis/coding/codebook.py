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

import functools
import hashlib
import json
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import yaml

from ..corpus.yamlio import line_of, load_yaml_text
from ..errors import E, GacpError

CODEBOOK_FILENAME = "codebook.yaml"
DEFAULT_PATH = "gacp_analysis/data/codebook.yaml"
CONTEXTS = ("negation", "discours_rapporte")
_CODE_KEYS = {"label", "famille", "definition", "inclusion", "exclusion", "exemples", "marqueurs",
              "bloque_si", "discours_rapporte_vers", "negation_vers", "echange", "actif", "ajouter", "retirer"}
_MARKER_KEYS = {"expressions", "motifs"}


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

    Its token patterns are checked by the test suite, not at each start: importing
    spaCy for that would cost a second on every unchanged ``gacp code`` run.
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
    """Apply a group's codebook file to ``codebook``; return the new codebook."""
    if data is None:
        return codebook
    if not isinstance(data, dict) or not isinstance(data.get("codes"), dict):
        raise GacpError(E.E204, path=path)
    families = dict(codebook.families)
    for key, value in (data.get("familles") or {}).items():
        families[key] = dict(value or {})
    codes = {c.id: c for c in codebook.codes}
    for code_id, entry in data["codes"].items():
        code_id = str(code_id)
        where = ["codes", code_id]
        line = _key_line(doc, where)
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            raise GacpError(E.E201, path=path, line=line, code=code_id,
                            problem="la définition doit être un dictionnaire de clés",
                            fix="Écrivez par exemple « actif: false » ou « ajouter: ... » sous le code.")
        if code_id not in codes:
            codes[code_id] = _parse_code(code_id, entry, doc=doc, path=path, families=families)
            continue
        codes[code_id] = _change_code(codes[code_id], entry, doc=doc, path=path, families=families)
    result = Codebook(codes=tuple(codes.values()), families=families,
                      sources=(*codebook.sources, str(path)))
    _check_targets(result, doc=doc, path=path)
    return result


def _change_code(code: Code, entry: dict, *, doc: object, path: Path | str, families: dict) -> Code:
    where = ["codes", code.id]
    _check_keys(code.id, entry, doc=doc, path=path)
    changes: dict = {}
    for key, attr in (("label", "label"), ("definition", "definition"), ("inclusion", "inclusion"),
                      ("exclusion", "exclusion")):
        if key in entry:
            changes[attr] = _text(code.id, entry, key, doc=doc, path=path)
    if "famille" in entry:
        changes["family"] = _family(code.id, entry, doc=doc, path=path, families=families)
    if "actif" in entry:
        changes["active"] = _bool(code.id, entry, "actif", doc=doc, path=path)
    if "echange" in entry:
        changes["exchange"] = _bool(code.id, entry, "echange", doc=doc, path=path)
    if "bloque_si" in entry:
        changes["blocked_by"] = _contexts(code.id, entry, doc=doc, path=path)
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
        if not isinstance(removals, list):
            raise GacpError(E.E201, path=path, line=line_of(doc, [*where, "retirer"]), code=code.id,
                            problem="« retirer » doit être une liste de marqueurs",
                            fix='Écrivez par exemple retirer: ["bruit", "planning"].')
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


def _parse_code(code_id: str, entry: object, *, doc: object, path: Path | str, families: dict,
                validate: bool = True) -> Code:
    where = ["codes", code_id]
    line = _key_line(doc, where)
    if not isinstance(entry, dict):
        raise GacpError(E.E201, path=path, line=line, code=code_id,
                        problem="la définition doit être un dictionnaire de clés",
                        fix="Donnez au moins « label », « famille » et « definition ».")
    _check_keys(code_id, entry, doc=doc, path=path)
    for key in ("label", "famille"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise GacpError(E.E201, path=path, line=line, code=code_id,
                            problem=f"clé « {key} » absente ou vide pour un nouveau code",
                            fix=f"Ajoutez « {key}: ... » (ou corrigez l'identifiant s'il s'agit "
                                "d'un code existant).")
    if "ajouter" in entry or "retirer" in entry:
        raise GacpError(E.E201, path=path, line=line, code=code_id,
                        problem="« ajouter »/« retirer » s'appliquent à un code existant, or ce code "
                                "n'existe pas dans la grille par défaut",
                        fix="Vérifiez l'identifiant, ou donnez ses marqueurs sous « marqueurs ».")
    examples = entry.get("exemples") or []
    if not isinstance(examples, list):
        examples = [examples]
    return Code(
        id=code_id,
        label=_text(code_id, entry, "label", doc=doc, path=path),
        family=_family(code_id, entry, doc=doc, path=path, families=families),
        definition=_text(code_id, entry, "definition", doc=doc, path=path),
        inclusion=_text(code_id, entry, "inclusion", doc=doc, path=path),
        exclusion=_text(code_id, entry, "exclusion", doc=doc, path=path),
        examples=tuple(str(e) for e in examples),
        markers=_markers(code_id, entry.get("marqueurs") or {}, doc=doc, path=path,
                         where=[*where, "marqueurs"], validate=validate),
        blocked_by=_contexts(code_id, entry, doc=doc, path=path),
        reported_to=entry.get("discours_rapporte_vers") or None,
        negated_to=entry.get("negation_vers") or None,
        exchange=_bool(code_id, entry, "echange", doc=doc, path=path, default=False),
        active=_bool(code_id, entry, "actif", doc=doc, path=path, default=True),
    )


def _key_line(doc, keys: list) -> int:
    """1-based line of the *key* ``keys[-1]`` (where a reader looks for the code), best effort."""
    import yaml as _yaml

    node, line = doc, 1
    for key in keys:
        if isinstance(node, _yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == key), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        else:
            return line_of(doc, keys)
    return line


def _check_keys(code_id: str, entry: dict, *, doc: object, path: Path | str) -> None:
    for key in entry:
        if key not in _CODE_KEYS:
            raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code_id, key]),
                            code=code_id, problem=f"clé « {key} » inconnue",
                            fix="Clés possibles : " + ", ".join(sorted(_CODE_KEYS)) + ".")


def _text(code_id: str, entry: dict, key: str, *, doc: object, path: Path | str) -> str:
    value = entry.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)):
        raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code_id, key]), code=code_id,
                        problem=f"« {key} » doit être un texte", fix="Écrivez le texte entre guillemets.")
    return str(value).strip()


def _bool(code_id: str, entry: dict, key: str, *, doc: object, path: Path | str,
          default: bool = True) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code_id, key]), code=code_id,
                        problem=f"« {key} » vaut « {value} »", fix=f"Écrivez « {key}: true » ou « {key}: false ».")
    return value


def _family(code_id: str, entry: dict, *, doc: object, path: Path | str, families: dict) -> str:
    family = str(entry.get("famille", "")).strip()
    if family not in families and family != code_id:
        raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code_id, "famille"]),
                        code=code_id, problem=f"famille « {family} » inconnue",
                        fix="Familles possibles : " + ", ".join(sorted(families)) +
                            f" (ou « {code_id} » pour un code sans famille).")
    return family


def _contexts(code_id: str, entry: dict, *, doc: object, path: Path | str) -> tuple[str, ...]:
    value = entry.get("bloque_si") or []
    if isinstance(value, str):
        value = [value]
    bad = [v for v in value if v not in CONTEXTS] if isinstance(value, list) else [value]
    if bad:
        raise GacpError(E.E201, path=path, line=line_of(doc, ["codes", code_id, "bloque_si"]),
                        code=code_id, problem=f"contexte « {bad[0]} » inconnu dans « bloque_si »",
                        fix="Contextes possibles : " + ", ".join(CONTEXTS) + ".")
    return tuple(value)


def _markers(code_id: str, value: object, *, doc: object, path: Path | str, where: list,
             validate: bool = True) -> tuple[Marker, ...]:
    if not isinstance(value, dict):
        raise GacpError(E.E201, path=path, line=line_of(doc, where), code=code_id,
                        problem="les marqueurs doivent être un dictionnaire",
                        fix="Écrivez « expressions: [...] » et/ou « motifs: {nom: [...]} ».")
    for key in value:
        if key not in _MARKER_KEYS:
            raise GacpError(E.E201, path=path, line=line_of(doc, [*where, key]), code=code_id,
                            problem=f"clé de marqueurs « {key} » inconnue",
                            fix="Clés possibles : expressions, motifs.")
    markers: dict[str, Marker] = {}
    expressions = value.get("expressions") or []
    if not isinstance(expressions, list):
        raise GacpError(E.E201, path=path, line=line_of(doc, [*where, "expressions"]), code=code_id,
                        problem="« expressions » doit être une liste",
                        fix='Écrivez par exemple expressions: ["je suis épuisée", "à bout"].')
    for i, phrase in enumerate(expressions):
        if not isinstance(phrase, str) or not phrase.strip():
            raise GacpError(E.E201, path=path, line=line_of(doc, [*where, "expressions", i]),
                            code=code_id, problem=f"expression vide ou non textuelle ({phrase!r})",
                            fix="Chaque expression est un texte entre guillemets.")
        name = " ".join(phrase.split())
        markers.setdefault(name, Marker(name=name, kind="expression"))
    motifs = value.get("motifs") or {}
    if not isinstance(motifs, dict):
        raise GacpError(E.E201, path=path, line=line_of(doc, [*where, "motifs"]), code=code_id,
                        problem="« motifs » doit être un dictionnaire nom -> liste de jetons",
                        fix='Écrivez par exemple motifs: {epuise: [{LEMMA: "épuiser"}]}.')
    for name, pattern in motifs.items():
        if validate:
            _check_pattern(code_id, str(name), pattern, doc=doc, path=path,
                           where=[*where, "motifs", name])
        markers[str(name)] = Marker(name=str(name), kind="motif", pattern=tuple(pattern))
    return tuple(markers.values())


def _check_pattern(code_id: str, name: str, pattern: object, *, doc: object, path: Path | str,
                   where: list) -> None:
    from spacy.matcher import Matcher
    from spacy.vocab import Vocab

    line = line_of(doc, where)
    if not isinstance(pattern, list) or not pattern or not all(isinstance(t, dict) for t in pattern):
        raise GacpError(E.E203, path=path, line=line, code=code_id, marker=name,
                        problem="ce n'est pas une liste de jetons")
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
