"""Reading a group folder: group file, transcripts in every format, import into the store."""
from __future__ import annotations
