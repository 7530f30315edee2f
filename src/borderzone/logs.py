"""Send the package's log records to a rule's log file, and bad input to one line."""

import logging
import sys
from pathlib import Path
from types import TracebackType

from borderzone.errors import BorderzoneError


def setup_logging(log_path: str | Path | None = None, *, level: int = logging.INFO) -> None:
    """Log ``borderzone`` records to ``log_path`` (and to stderr when it is None).

    Also reports a :class:`~borderzone.errors.BorderzoneError` that ends the process as one
    line, ``borderzone: <message>``, on stderr and in the log, instead of a traceback: bad
    input is the user's to fix, not a bug.
    """
    handler: logging.Handler
    if log_path is None:
        handler = logging.StreamHandler()
    else:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_path, mode="w")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("borderzone")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logging.captureWarnings(True)
    sys.excepthook = _report


def _report(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, BorderzoneError):
        logging.getLogger("borderzone").error("%s", exc)
        print(f"borderzone: {exc}", file=sys.stderr)
    else:
        sys.__excepthook__(kind, exc, tb)
