"""What surrounds a marker: negation, reported speech, the group exchange.

Read from token windows rather than from a dependency parse: transcribed
speech has few commas and dropped *ne*, and the small French model's parses
of it are unreliable (the same choice as EDS-NLP's negation and
reported-speech components, which work on cue words and scope ends).

- Negation: a cue (*pas, jamais, plus, rien, aucun, sans*) at most
  :data:`NEG_WINDOW` tokens before the marker, with no scope end in between
  (punctuation, *mais, bon, enfin, parce que, que*...). Not cues: *pas mal*,
  *pas rien*, *pas que* (« c'est pas que des toilettes »), *ne… que* (no cue
  at all), *plus* meaning "more" (« plus de travail »).
- Reported speech: a speech or demand verb (*dire, demander, vouloir,
  répéter...*) whose subject is someone else (*la cadre, elle, on nous...*),
  before the marker in the same sentence with *que*, *:* or a quote between
  them. « Je me suis dit que… » is the speaker's own.
"""
from __future__ import annotations

NEG_WINDOW = 5
REPORT_WINDOW = 14

NEG_CUES = {"pas", "jamais", "rien", "aucun", "aucune", "sans", "ni", "guère"}
SCOPE_ENDS = {",", ";", ":", ".", "!", "?", "…", "mais", "bon", "enfin", "parce", "car", "alors",
              "donc", "puis", "sinon", "quand", "que", "qu'", "qui", "où", "si", "s'", "-", "–",
              "et", "ou", "comme", "pourtant", "bref", "voilà"}
_NOT_AFTER_PAS = {"mal", "rien", "que", "qu'", "seulement", "forcément", "toujours", "tous",
                  "toutes", "tout"}
_PLUS_NOT_NEG_BEFORE = {"le", "la", "les", "de", "d'", "beaucoup", "bien", "encore", "trop", "un",
                        "en", "deux", "fois", "et", "ou", "au", "des", "du"}
_PLUS_NOT_NEG_AFTER = {"de", "d'", "que", "qu'", "en", "tard", "tôt", "loin", "vite", "grand",
                       "grande", "gros", "long", "haut", "souvent", "facile", "simple", "rapide",
                       "ou", "personne"}

SPEECH_VERBS = {"dire", "demander", "vouloir", "exiger", "répéter", "expliquer", "rappeler",
                "imposer", "ordonner", "reprocher", "raconter", "écrire", "annoncer", "affirmer",
                "prétendre", "trouver", "estimer", "penser", "croire", "insister", "marquer"}
_OWN_SUBJECTS = {"je", "j'", "moi"}
_CLITICS = {"me", "m'", "te", "t'", "nous", "vous", "lui", "leur", "le", "la", "l'", "les", "en",
            "y", "ne", "n'", "se", "s'", "toujours", "bien", "souvent", "encore", "pas", "aussi",
            "a", "ont", "avait", "avaient", "va", "vont", "est", "sont", "était", "ai", "avons",
            "avez", "aurait", "peut", "arrête", "arrêtent", "n'arrête", "nous", "même", "bien"}
_THIRD_SUBJECTS = {"il", "elle", "ils", "elles", "on", "ça", "cela", "eux", "lui"}
_REPORT_LINKS = {"que", "qu'", ":", "«", "\"", "“", "de", "d'"}

ANSWER_CUES = (
    "moi aussi", "moi non plus", "nous aussi", "moi c'est pareil", "chez nous", "pareil pour moi",
    "comme toi", "comme vous", "comme elle", "comme lui", "je suis d'accord", "pas d'accord",
    "d'accord avec", "tu as raison", "t'as raison", "vous avez raison", "ce que tu dis",
    "ce que vous dites", "ce que dit", "ce qu'elle dit", "ce qu'il dit", "ce que disait",
    "je rejoins", "je te rejoins", "je vous rejoins", "de mon côté", "chez moi c'est",
    "t'as de la chance", "tu as de la chance", "vous avez de la chance", "ça nous est toutes arrivé",
    "ça nous est tous arrivé", "je vois ce que tu veux dire", "c'est différent chez",
)
REFORMULATION_CUES = (
    "si je reprends", "si je comprends bien", "si je résume", "si je reformule", "vous dites que",
    "tu dis que", "ce que j'entends", "j'entends que", "autrement dit", "vous décrivez",
    "tu décris", "ce que vous décrivez", "ce que tu décris", "c'est-à-dire que vous",
    "si j'ai bien compris", "vous êtes en train de dire", "tu es en train de dire",
)
NARRATIVE_DACCORD_NEXT = {"donc", "alors", "je", "j'", "on", "et", "bon", "ben", "du"}


def _lower(tok) -> str:
    return tok.lower_


def is_negated(doc, start: int, end: int) -> bool:
    """True when the tokens ``doc[start:end]`` are in the scope of a negation cue."""
    i = start - 1
    steps = 0
    while i >= 0 and steps < NEG_WINDOW:
        word = _lower(doc[i])
        if word in SCOPE_ENDS or doc[i].is_punct:
            return False
        if _is_cue(doc, i):
            return True
        i -= 1
        steps += 1
    return False


def _is_cue(doc, i: int) -> bool:
    word = _lower(doc[i])
    nxt = _lower(doc[i + 1]) if i + 1 < len(doc) else ""
    prev = _lower(doc[i - 1]) if i > 0 else ""
    if word == "pas":
        return nxt not in _NOT_AFTER_PAS
    if word == "rien":
        return prev != "pas"
    if word == "plus":
        if prev in ("ne", "n'") or (i > 1 and _lower(doc[i - 2]) in ("ne", "n'")):
            return True
        return prev not in _PLUS_NOT_NEG_BEFORE and nxt not in _PLUS_NOT_NEG_AFTER and bool(prev)
    return word in NEG_CUES


def reported_source(doc, start: int) -> int | None:
    """Index of the speech verb when ``doc[start:]`` is someone else's speech, else None."""
    i = start - 1
    link = False
    steps = 0
    while i >= 0 and steps < REPORT_WINDOW:
        tok = doc[i]
        word = _lower(tok)
        if word in {".", "!", "?", "…", "mais", "bon", "enfin"}:
            return None
        if word in _REPORT_LINKS:
            link = True
        elif tok.lemma_ in SPEECH_VERBS and tok.pos_ in ("VERB", "AUX", "NOUN", "ADJ"):
            if _third_party_subject(doc, i) and (link or tok.lemma_ in ("vouloir", "exiger", "imposer")):
                return i
            if tok.lemma_ in ("dire", "penser", "croire", "trouver"):
                return None  # « je me suis dit que… », « je trouve que… »: the speaker's own
        i -= 1
        steps += 1
    # « selon elle », « d'après la cadre », « pour eux » at the start of the sentence
    for j in range(max(0, start - REPORT_WINDOW), start):
        if _lower(doc[j]) in ("selon", "d'après") and j + 1 < len(doc) and _lower(doc[j + 1]) not in _OWN_SUBJECTS:
            return j
    return None


def _third_party_subject(doc, verb: int) -> bool:
    j = verb - 1
    steps = 0
    while j >= 0 and steps < 6:
        tok = doc[j]
        word = _lower(tok)
        if word in _OWN_SUBJECTS:
            return False
        if word in ("me", "m'") and j > 0 and _lower(doc[j - 1]) in ("je", "j'"):
            return False
        if word == "on" and j > 0 and _lower(doc[j - 1]) == "nous":
            return False  # « nous on dit que… »: the speaker's own group
        if word in _THIRD_SUBJECTS or tok.pos_ in ("NOUN", "PROPN"):
            return True
        if word in _CLITICS or tok.pos_ in ("AUX", "ADV"):
            j -= 1
            steps += 1
            continue
        return False
    return False


def contains_any(text_lower: str, cues: tuple[str, ...]) -> str | None:
    """The first cue found in ``text_lower`` (word-bounded), else None."""
    padded = f" {text_lower.replace('’', chr(39))} "
    for cue in cues:
        k = padded.find(cue)
        while k != -1:
            before, after = padded[k - 1], padded[k + len(cue)]
            if not before.isalnum() and not after.isalnum():
                return cue
            k = padded.find(cue, k + 1)
    return None


def find_cue(text: str, cues: tuple[str, ...]) -> tuple[int, int] | None:
    """Offsets of the first cue of ``cues`` in ``text`` (case-insensitive), else None."""
    low = text.lower().replace("’", "'")
    cue = contains_any(low, cues)
    if cue is None:
        return None
    padded = f" {low} "
    k = padded.find(cue)
    while k != -1:
        if not padded[k - 1].isalnum() and not padded[k + len(cue)].isalnum():
            return k - 1, k - 1 + len(cue)
        k = padded.find(cue, k + 1)
    return None


def is_procedural(text: str, *, facilitator: bool) -> bool:
    """True for a facilitator's procedural talk (relaunches, turn-taking, time), which gets no code.

    A facilitator's reformulation (« si je reprends, vous décalez les douches… ») is
    not procedural and may be coded.
    """
    if not facilitator:
        return False
    stripped = text.strip()
    if contains_any(stripped.lower(), REFORMULATION_CUES):
        return False
    return True


def narrative_daccord(doc, i: int) -> bool:
    """« d'accord » that moves a story on (« d'accord, donc j'y vais »), not group agreement."""
    k = i + 2 if i + 1 < len(doc) and _lower(doc[i + 1]) == "accord" else i + 1
    while k < len(doc) and doc[k].is_punct:
        k += 1
    return k < len(doc) and _lower(doc[k]) in NARRATIVE_DACCORD_NEXT
