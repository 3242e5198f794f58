"""The one error inspection raises: the file claims a format but its structure is broken."""


class InspectionError(ValueError):
    """A file's metadata could not be read; the message says what is wrong."""
