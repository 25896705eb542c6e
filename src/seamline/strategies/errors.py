"""What can be wrong with a recording; each says what was expected, what was found, and the fix.

SeamlineError
  RecordingError          a seam's recording cannot be used
    NoRecording           the seam has no recording (or an empty one)
    RecordingOutdated     made with another version of the config
    InvalidRecording      its files are not valid WireMock mappings / index
"""

from __future__ import annotations

from seamline.errors import SeamlineError


class RecordingError(SeamlineError):
    """A seam's recording cannot be used."""


class NoRecording(RecordingError):
    """The seam has no recording to replay or drive."""


class RecordingOutdated(RecordingError):
    """The recording was made with another version of the config's services."""


class InvalidRecording(RecordingError):
    """A recording's files are not what `seamline record` writes (edited by hand, cut short)."""
