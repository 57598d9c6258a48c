"""The facilitator's review: the coding review widget, inter-coder agreement, learned suggestions.

- :mod:`.actions`: each decision written to the store at once, and its undo;
- :mod:`.widget`: the ipywidgets review of notebook 05;
- :mod:`.agreement`: Cohen's kappa and Krippendorff's alpha between coders;
- :mod:`.learning`: suggestions learned from the reviewed segments (provenance ``modele``).
"""
from .actions import STATUSES, Review
from .widget import ReviewWidget, review_widget

__all__ = ["STATUSES", "Review", "ReviewWidget", "review_widget"]
