"""borderzone: a land border between two countries as a transport and settlement zone."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("borderzone")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"
