"""The encoder's input string: the same for training and coding."""
from __future__ import annotations

from gacp_analysis.coding.encoder_input import encoder_input


def test_segment_alone_has_its_whitespace_normalised():
    assert encoder_input("  On a fait\u00a0sans,\n comme d'hab. ") == "On a fait sans, comme d'hab."
    assert encoder_input("Moi aussi.", "   ") == "Moi aussi."


def test_context_follows_the_segment_cut_to_its_last_forty_words():
    previous = " ".join(f"m{i}" for i in range(1, 51))  # m1 … m50
    got = encoder_input("Moi c'est pareil.", previous)
    assert got == "Moi c'est pareil. || en réponse à : " + " ".join(f"m{i}" for i in range(11, 51))
