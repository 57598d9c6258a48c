"""The review widget driven headless (clicks, value changes, keys), checked in the store."""
from __future__ import annotations

from gacp_analysis.review.widget import ReviewWidget
from gacp_analysis.store import open_store
from tests.conftest import segment_id_at


def _ids(folder):
    with open_store(folder) as store:
        return [segment_id_at(store, 1, 10, i) for i in (2, 3, 4)]


def _decisions(folder):
    with open_store(folder) as store:
        return [tuple(r) for r in store.execute(
            "SELECT segment_id, code, decision, coder FROM codings WHERE provenance = 'human' "
            "ORDER BY id")]


def _widget(folder, **kwargs):
    wd = ReviewWidget(folder, "Camille", session=1, **kwargs)
    wd.code_filter.value = "travail.contrainte"
    return wd


def test_filters_progress_and_the_turn_with_its_evidence(demo_review):
    seg2, seg3, seg4 = _ids(demo_review)
    wd = _widget(demo_review)
    assert wd.visible == [seg3, seg4]
    assert wd.progress.value.startswith("<b>0 / 2</b> segment(s) revu(s)")
    assert "Segment 1 / 2 · séance 1 · tour 10 · <b>Ambre</b> (aide-soignante de nuit)" \
        in wd.position.value
    assert "<mark class='gacp-evidence'>au lieu de trois</mark>" in wd.text.value
    assert "<mark class='gacp-evidence'>On était deux</mark>" in wd.text.value
    # Pseudonyms only: « Donc moi, Thomas, et Karim » is shown with Damien and Basile.
    assert "Thomas" not in wd.text.value and "Karim" not in wd.text.value
    assert "Donc moi, Damien, et Basile" in wd.text.value
    labels = [row.children[2].value for row in wd.suggestions.children]
    assert [("travail.contrainte" in v, "recit.situation" in v) for v in labels] == [
        (True, False), (False, True)]
    wd.speaker_filter.value = "Basile"
    assert wd.visible == []
    assert "Aucun segment" in wd.position.value
    wd.speaker_filter.value = "Ambre"
    wd.role_filter.value = "aide-soignante de nuit"
    assert wd.visible == [seg3, seg4]
    wd.code_filter.value = "recit.situation"
    assert wd.visible == [seg2, seg3]


def test_clicks_accept_reject_validate_and_undo(demo_review):
    seg2, seg3, seg4 = _ids(demo_review)
    wd = _widget(demo_review)
    accept, reject = wd.suggestions.children[0].children[:2]
    accept.click()
    assert _decisions(demo_review) == [(seg3, "travail.contrainte", "apply", "Camille")]
    assert wd.message.value == "Enregistré : code « travail.contrainte » accepté"
    assert wd.current == seg3  # the decided segment stays on screen
    assert wd.suggestions.children[0].children[0].disabled  # already accepted
    wd.suggestions.children[1].children[1].click()  # reject recit.situation
    assert _decisions(demo_review)[-1] == (seg3, "recit.situation", "reject", "Camille")
    assert wd.progress.value.startswith("<b>1 / 2</b>")
    wd.undo_button.click()
    assert len(_decisions(demo_review)) == 1
    wd.validate_button.click()  # accepts the pending recit.situation, goes to the next
    assert _decisions(demo_review)[-1] == (seg3, "recit.situation", "apply", "Camille")
    assert wd.current == seg4
    wd.status_filter.value = "validé"
    assert wd.visible == [seg3]


def test_add_a_code_on_a_passage_copied_from_the_masked_text(demo_review):
    seg2, seg3, seg4 = _ids(demo_review)
    wd = ReviewWidget(demo_review, "Camille", session=1, status=None)
    with open_store(demo_review) as store:
        seg7 = segment_id_at(store, 1, 10, 5)  # « Donc moi, Thomas, et Karim comme infirmier… »
    wd.index = wd.visible.index(seg7)
    wd.render()
    wd.add_code.value = "consequence.collectif"
    wd.passage.value = "Damien, et Basile"  # as displayed
    wd.add_button.click()
    with open_store(demo_review) as store:
        row = store.execute("SELECT start, end FROM codings WHERE provenance = 'human'").fetchone()
        text = store.execute("SELECT text FROM sessions WHERE number = 1").fetchone()[0]
    # the store holds the pseudonymised text since the import masks names (issue 13)
    assert text[row["start"]:row["end"]] == "Damien, et Basile"
    assert wd.passage.value == ""
    assert "sur « Damien, et Basile »" in wd.suggestions.children[0].children[2].value
    wd.passage.value = "pas dans ce segment"
    wd.add_button.click()
    assert wd.message.value.startswith("<span style='color:#9b1c1c'>E502 ")


def test_memo_on_the_segment_for_the_bilan(demo_review):
    seg2, seg3, seg4 = _ids(demo_review)
    wd = _widget(demo_review)
    wd.memo_text.value = "Le sous-effectif, encore."
    wd.memo_bilan.value = True
    wd.memo_button.click()
    wd.memo_target.value = "séance"
    wd.memo_text.value = "Séance 1 : le sous-effectif."
    wd.memo_button.click()
    with open_store(demo_review) as store:
        rows = [tuple(r) for r in store.execute(
            "SELECT m.segment_id, s.number, m.text, m.author, m.for_bilan FROM memos m "
            "LEFT JOIN sessions s ON s.id = m.session_id ORDER BY m.id")]
    assert rows == [(seg3, 1, "Le sous-effectif, encore.", "Camille", 1),
                    (None, 1, "Séance 1 : le sous-effectif.", "Camille", 0)]
    assert wd.memo_text.value == "" and wd.memo_bilan.value is False
    assert "Le sous-effectif, encore." in wd.memos.value


def test_keyboard_shortcuts(demo_review):
    seg2, seg3, seg4 = _ids(demo_review)
    wd = _widget(demo_review)
    wd.on_key({"type": "keydown", "key": "j"})
    assert wd.current == seg4
    wd.on_key({"type": "keydown", "key": "ArrowLeft"})
    assert wd.current == seg3
    wd.on_key({"type": "keydown", "key": "a"})  # the first pending suggestion
    wd.on_key({"type": "keydown", "key": "r"})  # the next pending one
    assert _decisions(demo_review) == [(seg3, "travail.contrainte", "apply", "Camille"),
                                       (seg3, "recit.situation", "reject", "Camille")]
    wd.on_key({"type": "keydown", "key": "z", "ctrlKey": True})
    wd.on_key({"type": "keydown", "key": "u"})
    assert _decisions(demo_review) == []
    wd.on_key({"type": "keydown", "key": "Enter"})
    assert wd.current == seg4 and len(_decisions(demo_review)) == 2


def test_blind_widget_shows_only_ones_own_codes(demo_review):
    seg2, seg3, seg4 = _ids(demo_review)
    wd = ReviewWidget(demo_review, "Dominique", session=1, blind=True, status=None)
    wd.index = wd.visible.index(seg3)
    wd.render()
    assert "Aucune suggestion" in wd.suggestions.children[0].value
    assert "gacp-evidence" not in wd.text.value
    assert "à l'aveugle" in wd.container.children[0].value
