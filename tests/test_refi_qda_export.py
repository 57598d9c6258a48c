"""REFI-QDA export on a small hand-coded group: exact positions, the interoperability rules,
the coded-segment tables.

The group (tests/fixtures/refi/groupe) is imported, then « Hugo » is added to ``a_masquer``
(a facilitator's late addition: the store's text still has « Hugo », the export masks it).
Exported texts (one line per turn, « Pseudonyme : » before the words), computed by hand:

session 1: line 1 « Animatrice : » (13) + 32 = 45 code points, so line 2 starts at 46 and its
words at 54 (« Ambre : » is 8): the segment « L'aînée a crié « ça suffit » 👍 et je suis
partie. » (49, the emoji one code point) is 54-103. Line 2 is 8 + 78 = 86 long: line 3 starts
at 133, its words at 142 (« Basile : » is 9); « On se sent seul face à la famille. » is 29
further: 171-205.
session 2: line 1 13 + 44 = 57, line 2 at 58, 9 + 50 = 59 long, line 3 at 118, its words at
126 (« Ambre : »): « [nom masqué] du service RH m'a dit de patienter. » 126-174 (the masked
« Hugo », 4 in the store, is 12 here), and the span « m'a dit de patienter » (store 115-135)
27 further: 153-173.
"""
from __future__ import annotations

import csv
import re
import zipfile
from datetime import date, datetime

from lxml import etree

from conftest import FIXTURES, copy_group
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.export.refi_qda import PROJECT_NS, export_group, schema_path
from gacp_analysis.store import open_store

GROUP = FIXTURES / "refi" / "groupe"
NS = "{" + PROJECT_NS + "}"
REAL_NAMES = ("Claire", "Nadia", "Karim", "Lefort", "Hugo")


def coded_group(tmp_path, name="groupe"):
    """The fixture group, imported, « Hugo » masked afterwards, coded by hand."""
    folder = copy_group(GROUP, tmp_path / name)
    import_group(folder)
    yaml_path = folder / "groupe.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8") + '  - "Hugo"\n', encoding="utf-8")
    with open_store(folder) as store:
        seg = {(s["number"], g["start"]): g["id"] for s in store.sessions()
               for g in store.session_segments(s["id"])}
        store.add_auto_coding(seg[1, 33], "recit.situation", coder="gacp-regles")
        store.add_human_coding(seg[1, 33], "recit.situation", coder="Animatrice")
        store.add_auto_coding(seg[1, 83], "consequence.sante", coder="gacp-regles")
        store.add_human_coding(seg[1, 83], "consequence.sante", coder="Animatrice",
                               decision="reject")
        store.add_auto_coding(seg[1, 141], "consequence.collectif", coder="gacp-regles")
        store.add_human_coding(seg[2, 96], "affect", coder="Claire")  # a real name as coder
        store.add_human_coding(seg[2, 96], "travail.contrainte", coder="Animatrice",
                               start=115, end=135)
        # a suggestion learned from the group's decisions is never a decision: not exported
        store.replace_model_suggestions([(seg[2, 65], "travail.contrainte", 0.9)],
                                        coder="modele-groupe")
        store.add_memo("Relire avec Karim.", author="Animatrice", segment_id=seg[1, 33])
        store.add_memo("Le planning revient.", author="Claire", session_number=2)
    return folder


def _project(path):
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    return members, etree.fromstring(members["project.qde"])


def test_selections_are_exact_positions_of_the_pseudonymised_texts(tmp_path):
    folder = coded_group(tmp_path)
    report = export_group(folder, "qdpx", out=tmp_path / "r.qdpx")
    members, root = _project(report.path)
    etree.XMLSchema(etree.parse(str(schema_path("qdpx")))).assertValid(root)
    code_names = {c.get("guid"): c.get("name") for c in root.iter(NS + "Code")}
    got = []
    for source in root.iter(NS + "TextSource"):
        text = members["sources/" + source.get("guid") + ".txt"].decode("utf-8")
        for sel in source.iter(NS + "PlainTextSelection"):
            s, e = int(sel.get("startPosition")), int(sel.get("endPosition"))
            got.append((source.get("name"), s, e, text[s:e], sorted(
                code_names[c.get("targetGUID")] for c in sel.iter(NS + "CodeRef"))))
    assert got == [
        ("Séance 01 (2026-01-12)", 54, 103, "L'aînée a crié « ça suffit » 👍 et je suis partie.",
         ["Situation vécue"]),
        ("Séance 01 (2026-01-12)", 171, 205, "On se sent seul face à la famille.",
         ["Effet sur le collectif"]),
        ("Séance 02 (2026-02-09)", 126, 174, "[nom masqué] du service RH m'a dit de patienter.",
         ["Évocation affectée"]),
        ("Séance 02 (2026-02-09)", 153, 173, "m'a dit de patienter", ["Contrainte"]),
    ]
    # the rejected automatic coding is not exported; no real name in any file of the archive
    assert "Effet sur la santé" not in [n for *_, n in got for n in n]
    for name, data in members.items():
        for real in REAL_NAMES:
            assert real.casefold() not in data.decode("utf-8").casefold(), (name, real)
    assert (report.selections, report.memos, report.sessions) == (4, 2, 2)


def test_interoperability_rules(tmp_path):
    folder = coded_group(tmp_path)
    report = export_group(folder, "qdpx", out=tmp_path / "r.qdpx")
    members, root = _project(report.path)
    # namespace exactly, an origin
    assert root.tag == NS + "Project" and root.nsmap == {None: "urn:QDA-XML:project:1.0"}
    assert re.fullmatch(r"gacp-analysis \S+", root.get("origin"))
    users = {u.get("guid"): u.get("name") for u in root.iter(NS + "User")}
    assert sorted(users.values()) == ["Animatrice", "gacp-regles (codage automatique)"]
    # creating user and date on every coding and note
    codings = list(root.iter(NS + "Coding"))
    notes = list(root.iter(NS + "Note"))
    assert len(codings) == 4 and len(notes) == 2
    for el in codings + notes:
        assert el.get("creatingUser") in users
        datetime.fromisoformat(el.get("creationDateTime"))
    assert [users[c.get("creatingUser")] for c in codings] == [
        "Animatrice", "gacp-regles (codage automatique)", "Animatrice", "Animatrice"]
    # lower-case GUIDs everywhere (attributes that hold or point to one)
    for el in root.iter():
        for attr in ("guid", "targetGUID", "creatingUser"):
            if el.get(attr) is not None:
                assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                                    el.get(attr)), (el.tag, attr)
    # sources: UTF-8 without BOM, LF, named by their GUID
    sources = list(root.iter(NS + "TextSource"))
    assert sorted(members) == sorted(["project.qde"] + [f"sources/{s.get('guid')}.txt"
                                                         for s in sources])
    for s in sources:
        assert s.get("plainTextPath") == f"internal://{s.get('guid')}.txt"
        data = members[f"sources/{s.get('guid')}.txt"]
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
        data.decode("utf-8")
    assert members[f"sources/{sources[0].get('guid')}.txt"].decode().split("\n")[0] == (
        "Animatrice : Bonsoir à tous 👋, qui commence ?")
    # code names unique across the whole codebook
    names = [c.get("name").casefold() for c in root.iter(NS + "Code")]
    assert len(names) == len(set(names)) == 23
    # variables on the cases and on each source
    var = {v.get("guid"): v.get("name") for v in root.iter(NS + "Variable")}

    def values(el):
        return {var[vv.find(NS + "VariableRef").get("targetGUID")]: vv[1].text
                for vv in el.findall(NS + "VariableValue")}
    cases = {c.get("name"): values(c) for c in root.iter(NS + "Case")}
    assert cases == {
        "Animatrice": {"pseudonyme": "Animatrice", "rôle": "animation", "animation": "true"},
        "Ambre": {"pseudonyme": "Ambre", "rôle": "aide-soignante", "animation": "false"},
        "Basile": {"pseudonyme": "Basile", "rôle": "infirmier", "animation": "false"},
    }
    assert [values(s) for s in sources] == [
        {"séance": "1", "date": "2026-01-12", "type de séance": "analyse",
         "pseudonymes": "Animatrice, Ambre, Basile",
         "rôles": "Animatrice (animation); Ambre (aide-soignante); Basile (infirmier)"},
        {"séance": "2", "date": "2026-02-09", "type de séance": "analyse",
         "pseudonymes": "Animatrice, Basile, Ambre",
         "rôles": "Animatrice (animation); Basile (infirmier); Ambre (aide-soignante)"},
    ]


def test_no_empty_container_on_an_uncoded_group(tmp_path):
    folder = copy_group(GROUP, tmp_path / "g")
    import_group(folder)
    for fmt in ("qdpx", "qdc"):
        report = export_group(folder, fmt, out=tmp_path / f"g.{fmt}")
        if fmt == "qdpx":
            members, root = _project(report.path)
        else:
            root = etree.parse(str(report.path)).getroot()
        etree.XMLSchema(etree.parse(str(schema_path(fmt)))).assertValid(root)
        for el in root.iter():
            if etree.QName(el).localname in ("Users", "CodeBook", "Codes", "Variables", "Cases",
                                             "Sources", "Notes", "Links", "Sets", "Graphs"):
                assert len(el), etree.QName(el).localname
        if fmt == "qdpx":
            assert root.find(NS + "Users") is None and root.find(NS + "Notes") is None
            assert not list(root.iter(NS + "PlainTextSelection"))


EXPECTED_ROWS = [
    ["séance", "date", "type", "tour", "pseudonyme", "rôle", "code", "chemin du code",
     "provenance", "codeur", "texte"],
    ["1", "2026-01-12", "analyse", "1", "Ambre", "aide-soignante", "recit.situation",
     "Récit de situation > Situation vécue", "humaine", "Animatrice",
     "L'aînée a crié « ça suffit » 👍 et je suis partie."],
    ["1", "2026-01-12", "analyse", "2", "Basile", "infirmier", "consequence.collectif",
     "Conséquences > Effet sur le collectif", "automatique", "gacp-regles",
     "On se sent seul face à la famille."],
    ["2", "2026-02-09", "analyse", "2", "Ambre", "aide-soignante", "affect",
     "Évocation affectée", "humaine", "Animatrice",
     "[nom masqué] du service RH m'a dit de patienter."],
    ["2", "2026-02-09", "analyse", "2", "Ambre", "aide-soignante", "travail.contrainte",
     "Le travail et ses contraintes > Contrainte", "humaine", "Animatrice",
     "m'a dit de patienter"],
]


def test_csv_has_one_row_per_coding_in_force(tmp_path):
    folder = coded_group(tmp_path)
    report = export_group(folder, "csv", out=tmp_path / "r.csv")
    data = report.path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the accents
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert rows == EXPECTED_ROWS
    for real in REAL_NAMES:
        assert real not in data.decode("utf-8-sig")


def test_xlsx_reads_back_the_same_rows(tmp_path):
    from openpyxl import load_workbook

    folder = coded_group(tmp_path)
    report = export_group(folder, "xlsx", out=tmp_path / "r.xlsx")
    ws = load_workbook(report.path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    expected = [EXPECTED_ROWS[0]] + [
        [int(r[0]), datetime.fromisoformat(r[1]), r[2], int(r[3]), *r[4:]]
        for r in EXPECTED_ROWS[1:]]
    assert rows == expected
    assert ws.cell(2, 2).number_format == "DD/MM/YYYY"
    with zipfile.ZipFile(report.path) as archive:
        for name in archive.namelist():
            for real in REAL_NAMES:
                assert real.encode() not in archive.read(name), (name, real)
    assert date(2026, 1, 12) == rows[1][1].date()


def test_round_trip_of_the_masked_group(tmp_path):
    """Export -> import into another copy of the group: every coding on the same words (the
    span included, although « Hugo » is « [nom masqué] » in the exported text), the automatic
    one automatic again, the memos on their segment, session, code or coding, with their
    bilan flag and tags."""
    from gacp_analysis.export.qdpx_import import import_qdpx

    folder = coded_group(tmp_path)
    with open_store(folder) as store:
        store.add_memo("Code à discuter avec Nadia", author="Animatrice", code="affect",
                       for_bilan=True, tags=("grille",))
        coding = store.execute("SELECT id FROM codings WHERE code = 'travail.contrainte'"
                               ).fetchone()[0]
        store.add_memo("Sur ce codage", author="Animatrice", coding_id=coding)
    report = export_group(folder, "qdpx", out=tmp_path / "r.qdpx")
    target = copy_group(GROUP, tmp_path / "cible")
    import_group(target)
    result = import_qdpx(report.path, target)
    assert result.warnings == []

    def codings(f):
        with open_store(f) as store:
            return sorted(tuple(r) for r in store.execute(
                "SELECT s.number, g.start, c.code, c.provenance, c.coder, c.start, c.end "
                "FROM codings c JOIN segments g ON g.id = c.segment_id "
                "JOIN sessions s ON s.id = g.session_id WHERE c.decision = 'apply'"))
    assert codings(target) == [
        (1, 33, "recit.situation", "human", "Animatrice", None, None),
        (1, 141, "consequence.collectif", "auto", "gacp-regles", None, None),
        (2, 96, "affect", "human", "Animatrice", None, None),  # « Claire », masked on export
        (2, 96, "travail.contrainte", "human", "Animatrice", 115, 135),
    ]
    with open_store(target) as store:
        memos = sorted(tuple(r) for r in store.execute(
            "SELECT m.text, m.author, s.number, g.start, m.code, c.code, c.start, m.for_bilan, "
            "m.tags FROM memos m LEFT JOIN sessions s ON s.id = m.session_id "
            "LEFT JOIN segments g ON g.id = m.segment_id LEFT JOIN codings c ON c.id = m.coding_id"))
    # the memos' « Karim », « Nadia » were masked on export: the exchange has pseudonyms only
    assert memos == [
        ("Code à discuter avec Ambre", "Animatrice", None, None, "affect", None, None, 1,
         '["grille"]'),
        ("Le planning revient.", "Animatrice", 2, None, None, None, None, 0, "[]"),
        ("Relire avec Basile.", "Animatrice", 1, 33, None, None, None, 0, "[]"),
        ("Sur ce codage", "Animatrice", 2, 96, None, "travail.contrainte", 115, 0, "[]"),
    ]


def test_a_role_naming_someone_is_masked_in_every_format(tmp_path):
    """Roles are free text of groupe.yaml: « binôme de Mme Lefort » is exported masked (it
    used to leak into the cases and source variables, and the audit refused the export)."""
    folder = copy_group(GROUP, tmp_path / "g")
    yaml_path = folder / "groupe.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace(
        'role: "infirmier"', 'role: "infirmier, binôme de Mme Lefort"'), encoding="utf-8")
    import_group(folder)
    with open_store(folder) as store:
        seg = next(g["id"] for g in store.session_segments(store.sessions()[0]["id"])
                   if g["start"] == 141)
        store.add_human_coding(seg, "consequence.collectif", coder="Animatrice")
    role = "infirmier, binôme de [nom masqué]"  # « Mme Lefort » is the masked string
    members, root = _project(export_group(folder, "qdpx", out=tmp_path / "g.qdpx").path)
    var = {v.get("guid"): v.get("name") for v in root.iter(NS + "Variable")}
    basile = next(c for c in root.iter(NS + "Case") if c.get("name") == "Basile")
    assert {var[vv.find(NS + "VariableRef").get("targetGUID")]: vv[1].text
            for vv in basile.findall(NS + "VariableValue")}["rôle"] == role
    rows = list(csv.reader(export_group(folder, "csv", out=tmp_path / "g.csv").path.read_text(
        encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[1][5] == role
