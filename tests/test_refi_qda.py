"""REFI-QDA exchange: QDPX and QDC exports valid against the standard's schemas, round trip."""
from __future__ import annotations

import zipfile

from lxml import etree

from conftest import FIXTURES, apply_codings_file, copy_group
from gacp_analysis.corpus.importer import import_group
from gacp_analysis.export.qdpx_import import import_qdpx
from gacp_analysis.export.refi_qda import export_group, schema_path
from gacp_analysis.store import open_store

NS = "{urn:QDA-XML:project:1.0}"


def _group_a(tmp_path, name, *, coded=True):
    folder = copy_group(FIXTURES / "synthesis" / "groupe_a", tmp_path / name)
    import_group(folder)
    if coded:
        apply_codings_file(folder, FIXTURES / "synthesis" / "codages_a.tsv")
    return folder


def _in_force(folder):
    with open_store(folder) as store:
        return sorted(
            (r[0], r[1], r[2], r[3]) for r in store.execute(
                "SELECT g.text, c.code, c.start IS NOT NULL, c.provenance FROM codings c "
                "JOIN segments g ON g.id = c.segment_id "
                "WHERE c.provenance = 'human' AND c.decision = 'apply'"))


def test_qdpx_validates_against_the_project_schema_and_round_trips(tmp_path):
    folder = _group_a(tmp_path, "a")
    with open_store(folder) as store:
        seg = store.execute("SELECT id, start, end, text FROM segments WHERE turn_id IS NOT NULL "
                            "ORDER BY id LIMIT 1").fetchone()
        # a span on the segment's first four characters, and a memo on the segment
        store.add_human_coding(seg["id"], "affect", coder="Animatrice", start=seg["start"],
                               end=seg["start"] + 4)
        store.add_memo("Relire avec le groupe", author="Animatrice", segment_id=seg["id"])
    report = export_group(folder, "qdpx", out=tmp_path / "a.qdpx")
    with zipfile.ZipFile(report.path) as archive:
        names = archive.namelist()
        project = archive.read("project.qde")
        sources = [n for n in names if n.startswith("sources/")]
        texts = [archive.read(n) for n in sources]
    schema = etree.XMLSchema(etree.parse(str(schema_path("qdpx"))))
    root = etree.fromstring(project)
    schema.assertValid(root)
    assert root.tag == NS + "Project" and root.get("origin")
    # one plain text per session (3 in group A), UTF-8 without BOM, LF only, named by GUID
    assert len(sources) == 3
    assert all(not t.startswith(b"\xef\xbb\xbf") and b"\r" not in t for t in texts)
    guids = [el.get("guid") for el in root.iter() if el.get("guid")]
    assert guids and all(g == g.lower() for g in guids)
    # speakers by pseudonym only: no real name of groupe_a in the texts
    from gacp_analysis.corpus.group import load_group

    group = load_group(folder)
    for speaker in group.participants:
        assert all(speaker.label.encode() not in t for t in texts)

    target = _group_a(tmp_path, "b", coded=False)
    import_qdpx(report.path, target)
    before = [r for r in _in_force(folder)]
    after = _in_force(target)
    # the automatic codings come back automatic: compare the human decisions, span included
    assert after == before and any(span for _, _, span, _ in after)
    with open_store(target) as store:
        assert [r[0] for r in store.execute("SELECT text FROM memos")] == ["Relire avec le groupe"]


def test_qdc_validates_against_the_codebook_schema_with_unique_names(tmp_path):
    folder = _group_a(tmp_path, "a", coded=False)
    report = export_group(folder, "qdc", out=tmp_path / "a.qdc")
    root = etree.parse(str(report.path)).getroot()
    etree.XMLSchema(etree.parse(str(schema_path("qdc")))).assertValid(root)
    names = [el.get("name") for el in root.iter("{urn:QDA-XML:codebook:1.0}Code")]
    # 5 families + 18 codes of the default codebook, each name once
    assert len(names) == 23 and len(set(names)) == 23
