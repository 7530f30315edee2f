"""Errors that borderzone raises for bad input: each names the file, key or value at fault."""


class BorderzoneError(ValueError):
    """Base class of the project's input errors."""


class ConfigError(BorderzoneError):
    """A configuration key has a value the workflow cannot use."""


class InputDataError(BorderzoneError):
    """An input file is missing, unreadable, or lacks what the workflow needs."""


class NoSharedBorderError(BorderzoneError):
    """The two countries of the pair share no land border in the outlines given."""


class OsmDataError(BorderzoneError):
    """An OSM file is missing, unreadable or corrupt."""


class DownloadError(BorderzoneError):
    """A download failed: HTTP error, broken transfer, bad checksum or bad response body."""


class OverpassError(DownloadError):
    """The Overpass server gave no usable answer for a chunk."""
