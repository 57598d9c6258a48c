"""Auto-coding: the codebook, the explainable coder, and its evaluation.

- :mod:`.codebook`  the default codebook (``data/codebook.yaml``) and a group's changes;
- :mod:`.pipeline`  the one spaCy pipeline, and the ``DocBin`` cache of parsed segments;
- :mod:`.context`   negation, reported speech, exchange and facilitator-talk cues;
- :mod:`.rules`     the codebook's markers matched and read in context;
- :mod:`.features`, :mod:`.model`  the statistical part (a linear model over words and rules);
- :mod:`.coder`     rules + model + constraints -> decisions with evidence;
- :mod:`.run`       ``gacp code``: incremental coding into the store;
- :mod:`.tag`       ``gacp tag``: JSON Lines in and out;
- :mod:`.evaluate`  gold files and agreement figures (``gacp evaluate``);
- :mod:`.train`     reproducible training on the development split.
"""
