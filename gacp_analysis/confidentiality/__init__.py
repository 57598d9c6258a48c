"""Confidentiality by design: what the toolkit keeps, shows and forgets about people.

- :mod:`.consent`: the consent register of ``groupe.yaml`` (recording, quotation,
  written bilan) and the decisions that follow from it.
- :mod:`.withhold`: the words that never enter the store (speakers who refused
  recording, speakers erased at their request), replaced by a marker.
- :mod:`.erasure`: ``gacp forget``, the right to erasure.
- :mod:`.retention`: ``conservation`` in ``groupe.yaml`` and ``gacp purge``.
- :mod:`.notebooks`: notebooks without outputs (``gacp strip-notebook``).
- :mod:`.offline`: the settings that keep every step off the network.

Modules are imported on demand: this package imports nothing heavy.
"""
