"""gacp-analysis: qualitative analysis of GACP session transcripts.

Data flows one way: corpus -> store -> coding -> syntheses -> exports.
"""
from __future__ import annotations

__version__ = "0.1.0"
