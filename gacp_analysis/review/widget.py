"""The review widget of notebook 05: read each segment, decide on its codes, write memos.

Built with ipywidgets (keyboard shortcuts through ipyevents); every button
calls :class:`~gacp_analysis.review.actions.Review`, which writes to the
store at once. Texts are masked (pseudonyms only) unless ``masked=False``.

Keyboard shortcuts (mouse over the text of the turn):

- ``→`` or ``j``: next segment; ``←`` or ``k``: previous segment;
- ``a``: accept the first suggestion to review; ``r``: reject it;
- ``v`` or Entrée: validate the segment (accepts what is pending) and go to the next;
- ``u`` or Ctrl+Z: undo the last action.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import ipywidgets as w

from ..corpus.group import load_group
from ..errors import GacpError
from ..privacy import Masker
from .actions import STATUSES, Review

ALL = "__tous__"
SHORTCUTS = ("Raccourcis (souris sur le texte) : → / j suivant · ← / k précédent · "
             "a accepter · r rejeter · v / Entrée valider le segment · u / Ctrl+Z annuler")
_STATUS_STYLE = {"à revoir": "#8a6d00", "validé": "#1b6e20", "rejeté": "#9b1c1c"}


class ReviewWidget:
    """The coding review of a group, for one reviewer.

    Args:
        folder: the group folder (imported and coded).
        coder: the reviewer's name, recorded with each decision.
        blind: hide the automatic suggestions and the others' decisions.
        masked: show pseudonyms only (the default); False shows the texts as stored.
        session: the session shown first (default: all).
        status: the status filter at start (default: « à revoir »).
    """

    def __init__(self, folder: Path | str, coder: str, *, blind: bool = False, masked: bool = True,
                 session: int | None = None, status: str | None = STATUSES[0]) -> None:
        self.review = Review(folder, coder, blind=blind)
        self.masker = Masker(load_group(folder)) if masked else None
        self.review.masker = self.masker
        segs = self.review.segments
        codebook = self.review.codebook
        families = codebook.families
        self._code_options = [
            (f"{_family_label(families, c.family)} › {c.label} ({c.id})", c.id)
            for c in sorted(codebook.active_codes, key=lambda c: (list(families).index(c.family)
                                                                   if c.family in families else 99))]
        self.labels = {c.id: c.label for c in codebook.codes}
        style = {"description_width": "initial"}
        self.session_filter = w.Dropdown(
            description="Séance", style=style,
            options=[("toutes", ALL)] + [(str(n), int(n)) for n in sorted(segs["session"].unique())],
            value=int(session) if session is not None else ALL)
        self.speaker_filter = w.Dropdown(description="Locuteur", style=style, options=[(
            "tous", ALL)] + [(p, p) for p in sorted(segs["speaker"].dropna().unique())])
        self.role_filter = w.Dropdown(description="Rôle", style=style, options=[("tous", ALL)] + [
            (r, r) for r in sorted(r for r in segs["role"].dropna().unique() if r)])
        self.code_filter = w.Dropdown(description="Code", style=style,
                                      options=[("tous", ALL)] + self._code_options)
        self.status_filter = w.Dropdown(description="Statut", style=style,
                                        options=[("tous", ALL)] + [(s, s) for s in STATUSES],
                                        value=status if status else ALL)
        for f in self._filters:
            f.layout = w.Layout(width="auto")
            f.observe(self._on_filter, names="value")
        self.prev_button = _button("◀ Précédent", "gacp-prev", self.previous)
        self.next_button = _button("Suivant ▶", "gacp-next", self.next)
        self.validate_button = _button("✔ Valider le segment", "gacp-validate", self.validate,
                                       style="success")
        self.undo_button = _button("↶ Annuler la dernière action", "gacp-undo", self.undo)
        self.position = w.HTML()
        self.position.add_class("gacp-position")
        self.progress = w.HTML()
        self.text = w.HTML()
        self.text.add_class("gacp-text")
        self.suggestions = w.VBox()
        self.suggestions.add_class("gacp-suggestions")
        self.add_code = w.Dropdown(description="Code à ajouter", style=style,
                                   options=self._code_options, layout=w.Layout(width="auto"))
        self.passage = w.Text(placeholder="passage (facultatif) : quelques mots du segment",
                              layout=w.Layout(width="40%"))
        self.passage.add_class("gacp-passage")
        self.add_button = _button("+ Ajouter le code", "gacp-add", self.add)
        self.memo_text = w.Textarea(placeholder="Mémo…", layout=w.Layout(width="95%", height="4em"))
        self.memo_text.add_class("gacp-memo")
        self.memo_target = w.ToggleButtons(options=[("sur le segment", "segment"),
                                                    ("sur un code", "code"),
                                                    ("sur la séance", "séance")],
                                           description="Mémo", style=style)
        self.memo_code = w.Dropdown(options=self._code_options, layout=w.Layout(width="auto"))
        self.memo_bilan = w.Checkbox(description="pour le bilan", value=False, indent=False)
        self.memo_bilan.add_class("gacp-memo-bilan")
        self.memo_button = _button("Enregistrer le mémo", "gacp-memo-save", self.save_memo)
        self.memos = w.HTML()
        self.message = w.HTML()
        self.message.add_class("gacp-message")
        self.reading = w.VBox([self.position, self.text, self.suggestions])
        self.reading.add_class("gacp-reading")
        mode = " — <b>à l'aveugle</b> (suggestions et codes des autres masqués)" if blind else ""
        self.container = w.VBox([
            w.HTML(f"<b>Revue du codage</b> par <b>{html.escape(self.review.coder)}</b>{mode}"),
            w.HBox(self._filters, layout=w.Layout(flex_flow="row wrap")),
            w.HBox([self.prev_button, self.next_button, self.validate_button, self.undo_button,
                    self.progress]),
            self.reading,
            w.HBox([self.add_code, self.passage, self.add_button],
                   layout=w.Layout(flex_flow="row wrap")),
            self.memo_text,
            w.HBox([self.memo_target, self.memo_code, self.memo_bilan, self.memo_button],
                   layout=w.Layout(flex_flow="row wrap")),
            self.memos, self.message, w.HTML(f"<small>{SHORTCUTS}</small>"),
        ])
        self.container.add_class("gacp-review")
        self._events = None
        try:
            from ipyevents import Event

            self._events = Event(source=self.reading, watched_events=["keydown"],
                                 prevent_default_action=True)
            self._events.on_dom_event(self.on_key)
        except ImportError:  # pragma: no cover - ipyevents is a dependency
            pass
        self.visible: list[int] = []
        self.index = 0
        self._apply_filters()

    # -- display ----------------------------------------------------------------
    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.container)

    @property
    def _filters(self) -> list[w.Dropdown]:
        return [self.session_filter, self.speaker_filter, self.role_filter, self.code_filter,
                self.status_filter]

    @property
    def current(self) -> int | None:
        """The id of the segment shown (None when the filters leave none)."""
        return self.visible[self.index] if self.visible else None

    def _apply_filters(self, keep: int | None = None, *, stay: bool = False) -> None:
        """Recompute the segments shown; ``keep`` stays current if it matches the filters
        (or whatever its status, with ``stay``: a segment just decided does not vanish)."""
        segs = self.review.segments
        mask = segs["segment_id"].notna()
        if self.session_filter.value != ALL:
            mask &= segs["session"] == self.session_filter.value
        if self.speaker_filter.value != ALL:
            mask &= segs["speaker"] == self.speaker_filter.value
        if self.role_filter.value != ALL:
            mask &= segs["role"] == self.role_filter.value
        ids = [int(i) for i in segs.loc[mask, "segment_id"]]
        if self.code_filter.value != ALL:
            codings = self.review.store.segment_codings(ids)
            if self.review.blind:
                codings = codings[(codings["provenance"] == "human")
                                  & (codings["coder"] == self.review.coder)]
            with_code = set(codings.loc[codings["code"] == self.code_filter.value, "segment_id"])
            ids = [i for i in ids if i in with_code]
        self._scope = ids
        if self.status_filter.value != ALL:
            statuses = self.review.statuses()
            ids = [i for i in ids if statuses[i] == self.status_filter.value
                   or (stay and i == keep)]
        self.visible = ids
        self.index = ids.index(keep) if keep in ids else 0
        self.render()

    def render(self) -> None:
        reviewed, total = self.review.progress(self._scope)
        pending = total - reviewed
        self.progress.value = (f"<b>{reviewed} / {total}</b> segment(s) revu(s) dans la sélection "
                               f"({pending} à revoir)")
        sid = self.current
        if sid is None:
            self.position.value = "<i>Aucun segment ne correspond aux filtres.</i>"
            self.text.value = ""
            self.suggestions.children = ()
            self.memos.value = ""
            return
        seg = self.review.segment(sid)
        status = self.review.segment_status(sid)
        self.position.value = (
            f"Segment {self.index + 1} / {len(self.visible)} · séance {seg.session} · tour "
            f"{seg.turn} · <b>{html.escape(str(seg.speaker))}</b>"
            f"{' (' + html.escape(seg.role) + ')' if seg.role else ''} · "
            f"<span style='color:{_STATUS_STYLE[status]}'>{status}</span>")
        codings = self.review.codings(sid)
        self.text.value = self._turn_html(seg, codings)
        self.suggestions.children = tuple(self._coding_row(sid, r) for r in codings) or (
            w.HTML("<i>Aucune suggestion pour ce segment.</i>"),)
        memos = self.review.memos(sid)
        self.memos.value = "".join(
            f"<div>📝 {html.escape(self._mask(m.text))} <small>({html.escape(m.author)}"
            f"{', pour le bilan' if m.for_bilan else ''})</small></div>"
            for m in memos.itertuples())

    def _coding_row(self, sid: int, r: dict) -> w.HBox:
        label = self.labels.get(r["code"], r["code"])
        origin = {"auto": "codeur automatique", "modele": "suggestion apprise",
                  "human": "ajouté par vous"}[r["provenance"]]
        detail = []
        if r["provenance"] != "human" and r.get("rule") == r.get("rule") and r.get("rule"):
            detail.append(f"règle « {html.escape(str(r['rule']))} »")
        if r.get("score") == r.get("score") and r.get("score") is not None:
            detail.append(f"score {float(r['score']):.2f}")
        if r["start"] is not None:
            seg = self.review.segment(sid)
            passage = seg.text[r["start"] - int(seg.start):r["end"] - int(seg.start)]
            detail.append(f"sur « {html.escape(self._mask(passage))} »")
        text = w.HTML(
            f"<span style='color:{_STATUS_STYLE[r['status']]}'>[{r['status']}]</span> "
            f"<b>{html.escape(label)}</b> <code>{r['code']}</code> — {origin}"
            f"{' · ' + ' · '.join(detail) if detail else ''}")
        accept = _button("✓ Accepter", "gacp-accept", lambda _=None: self.accept(r["code"]),
                         style="success")
        reject = _button("✗ Rejeter", "gacp-reject",
                         lambda _=None: self.reject(r["code"], r["start"], r["end"]),
                         style="danger")
        accept.disabled = r["status"] == STATUSES[1] or r["start"] is not None
        reject.disabled = r["status"] == STATUSES[2]
        row = w.HBox([accept, reject, text])
        row.add_class("gacp-coding")
        return row

    def _turn_html(self, seg, codings: list[dict]) -> str:
        """The turn, the current segment framed, the evidence of its codes marked."""
        base = int(seg.turn_start)
        text = seg.turn_text
        marks: list[tuple[int, int, str]] = [(int(seg.start) - base, int(seg.end) - base, "seg")]
        for r in codings:
            for ev in json.loads(r["evidence"] or "[]"):
                marks.append((ev["start"] - base, ev["end"] - base, "ev"))
            if r["start"] is not None:
                marks.append((r["start"] - base, r["end"] - base, "span"))
        cuts = sorted({0, len(text), *(m[0] for m in marks), *(m[1] for m in marks)})
        out = []
        for a, b in zip(cuts, cuts[1:]):
            if not 0 <= a < b <= len(text):
                continue
            kinds = {k for s, e, k in marks if s <= a and b <= e}
            piece = html.escape(self._mask(text[a:b]))
            if "ev" in kinds:
                piece = f"<mark class='gacp-evidence'>{piece}</mark>"
            if "span" in kinds:
                piece = f"<u>{piece}</u>"
            if "seg" in kinds:
                piece = f"<span style='background:#e8f0fe'>{piece}</span>"
            else:
                piece = f"<span style='color:#777'>{piece}</span>"
            out.append(piece)
        return ("<div style='border:1px solid #ccc;padding:0.6em;line-height:1.5;"
                "max-height:18em;overflow:auto'>" + "".join(out) + "</div>")

    def _mask(self, text: str) -> str:
        return self.masker(text) if self.masker is not None else text

    # -- actions ----------------------------------------------------------------
    def _run(self, func, *args, advance: bool = False, **kwargs) -> str | None:
        try:
            done = func(*args, **kwargs)
        except GacpError as exc:
            self.message.value = f"<span style='color:#9b1c1c'>{html.escape(str(exc))}</span>"
            return None
        self.message.value = f"Enregistré : {html.escape(done)}" if not done.startswith(
            ("annulé", "W")) else html.escape(done)
        sid = self.current
        if advance and self.index + 1 < len(self.visible):
            sid = self.visible[self.index + 1]
        self._apply_filters(keep=sid, stay=True)
        return done

    def accept(self, code: str) -> None:
        if self.current is not None:
            self._run(self.review.accept, self.current, code)

    def reject(self, code: str, start: int | None = None, end: int | None = None) -> None:
        if self.current is not None:
            self._run(self.review.reject, self.current, code, start=start, end=end)

    def add(self, _=None) -> None:
        if self.current is not None and self._run(self.review.add_code, self.current,
                                                  self.add_code.value, self.passage.value):
            self.passage.value = ""

    def validate(self, _=None) -> None:
        if self.current is not None:
            self._run(self.review.validate_segment, self.current, advance=True)

    def save_memo(self, _=None) -> None:
        seg = self.review.segment(self.current) if self.current is not None else None
        on = self.memo_target.value
        session = seg.session if seg is not None else (
            self.session_filter.value if self.session_filter.value != ALL else None)
        done = self._run(self.review.memo, self.memo_text.value, on=on,
                         segment_id=self.current, code=self.memo_code.value,
                         session=None if session is None else int(session),
                         for_bilan=self.memo_bilan.value)
        if done:
            self.memo_text.value = ""
            self.memo_bilan.value = False

    def undo(self, _=None) -> None:
        self._run(self.review.undo)

    def next(self, _=None) -> None:
        if self.index + 1 < len(self.visible):
            self.index += 1
            self.render()

    def previous(self, _=None) -> None:
        if self.index > 0:
            self.index -= 1
            self.render()

    def on_key(self, event: dict) -> None:
        """Keyboard shortcuts (see the module docstring)."""
        key = event.get("key", "")
        if event.get("ctrlKey") and key.lower() == "z":
            return self.undo()
        if event.get("ctrlKey") or event.get("altKey") or event.get("metaKey"):
            return None
        pending = [r for r in self.review.codings(self.current)
                   if r["status"] == STATUSES[0]] if self.current is not None else []
        if key in ("ArrowRight", "j"):
            self.next()
        elif key in ("ArrowLeft", "k"):
            self.previous()
        elif key == "a" and pending:
            self.accept(pending[0]["code"])
        elif key == "r" and pending:
            self.reject(pending[0]["code"], pending[0]["start"], pending[0]["end"])
        elif key in ("v", "Enter"):
            self.validate()
        elif key == "u":
            self.undo()
        return None

    def _on_filter(self, _change) -> None:
        self._apply_filters(keep=self.current)


def _button(description: str, css: str, handler, *, style: str = "") -> w.Button:
    button = w.Button(description=description, button_style=style,
                      layout=w.Layout(width="auto"))
    button.add_class(css)
    button.on_click(handler)
    return button


def _family_label(families: dict, family: str) -> str:
    entry = families.get(family)
    if isinstance(entry, dict):
        return str(entry.get("label", family))
    return str(getattr(entry, "label", entry or family))


def review_widget(folder: Path | str, coder: str, **kwargs) -> ReviewWidget:
    """The review widget of notebook 05 (see :class:`ReviewWidget`)."""
    return ReviewWidget(folder, coder, **kwargs)
