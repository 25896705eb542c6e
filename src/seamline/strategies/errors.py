"""What can be wrong with a recording; each says what was expected, what was found, and the fix.

SeamlineError
  RecordingError          a seam's recording cannot be used
    NoRecording           the seam has no recording (or an empty one)
    RecordingOutdated     made with another version of the config
    InvalidRecording      its files are not valid WireMock mappings / index
  StrategyError           a strategy or a bisection cannot run
    NoSeams               no seam between two services to switch
    UnknownTarget         --target names no service
    NotBisectable         the suite passes all-real, or fails all-replay
    FlakyStep             the same plan gave different results
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


class StrategyError(SeamlineError):
    """A strategy or a bisection cannot run on this system or this suite."""


class NoSeams(StrategyError):
    """The system has no seam between two services for a strategy to switch."""


class UnknownTarget(StrategyError):
    """`--target` names no service of the config."""


class NotBisectable(StrategyError):
    """The suite does not fail all-real, or does not pass all-replay."""


class FlakyStep(StrategyError):
    """The same plan gave different results."""
