"""Named units, so a number says what it measures."""

from typing import NewType

Seconds = NewType("Seconds", float)
Lufs = NewType("Lufs", float)
Dbtp = NewType("Dbtp", float)
Db = NewType("Db", float)
ItemId = NewType("ItemId", int)
