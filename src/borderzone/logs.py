"""Send the package's log records to a rule's log file, and bad input to one line.

A rule script wraps its body in :func:`rule_log`::

    with rule_log(snakemake.log[0]):
        write_layers(snakemake.output.border, build_border(...))

Inside, ``borderzone`` records go to the rule's log file. A
:class:`~borderzone.errors.BorderzoneError` (bad input: the user's to fix, not a bug) or an
:class:`OSError` (a full disk, a file that cannot be written) ends the script with one
line, ``borderzone: <message>``, on stderr and in the log, and exit status 1; any other
exception is a bug and keeps its traceback. Nothing global is left changed on exit:
``sys.excepthook`` is never touched. A block that ends well logs the peak memory of the
process and of its largest child (:data:`PEAK_RSS`), as the operating system counted it.

"""

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import NoReturn

from borderzone.errors import BorderzoneError

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

PEAK_RSS = "peak RSS {self_mb:.0f} MB, largest child {child_mb:.0f} MB"
"""The last record of a rule's log (:func:`rule_log`): the peak resident memory of the
process and of the largest of its children that ended, in MB, as the operating system
counted them (:func:`peak_rss_mb`)."""


def peak_rss_mb() -> dict[str, float]:
    """Give the peak resident memory of this process and of its largest ended child, in MB.

    As ``self_mb``: the process image's own peak (``VmHWM`` of ``/proc/self/status`` on
    Linux; elsewhere ``getrusage``, which counts from the fork, so with the parent's size
    then); as ``child_mb``: ``getrusage`` of the children, also counted from their fork.
    0 where neither exists (Windows).
    """
    try:
        import resource  # noqa: PLC0415 (Unix only)
    except ImportError:
        return {"self_mb": 0.0, "child_mb": 0.0}
    scale = 1024 if sys.platform != "darwin" else 1024 * 1024  # KB on Linux, bytes on macOS
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    with suppress(OSError, StopIteration, ValueError):
        status = Path("/proc/self/status").read_text().splitlines()
        self_mb = int(next(x for x in status if x.startswith("VmHWM:")).split()[1]) / 1024
    return {
        "self_mb": self_mb,
        "child_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale,
    }


class _LogFile(logging.FileHandler):
    """A rule's log file; a write that fails with an OSError (a full disk) is dropped.

    The default is a traceback on stderr for every record, which would bury the one line.
    Other failures (a bad format string: a bug) are still reported.
    """

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (overrides logging)
        """Drop the record when writing it failed with an OSError."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handleError(record)


def _handler(log_path: str | Path | None) -> logging.Handler:
    """Make a handler writing to ``log_path`` (created with its folder), or stderr for None."""
    handler: logging.Handler
    if log_path is None:
        handler = logging.StreamHandler()
    else:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(log_path, mode="w")
    handler.setFormatter(logging.Formatter(_FORMAT))
    return handler


def _os_message(exc: OSError) -> str:
    """``<file>: <reason>`` when the error names a file, else the error's own text."""
    if exc.filename is None:
        return str(exc)
    names = str(exc.filename) if exc.filename2 is None else f"{exc.filename} -> {exc.filename2}"
    return f"{names}: {exc.strerror or exc}"


def _one_line(message: str) -> None:
    """Report ``message`` in the log and as one line on stderr."""
    logging.getLogger("borderzone").error("%s", message)
    print(f"borderzone: {message}", file=sys.stderr)


def _exit(message: str) -> NoReturn:
    _one_line(message)
    raise SystemExit(1) from None


@contextmanager
def rule_log(log_path: str | Path | None, *, level: int = logging.INFO) -> Iterator[None]:
    """Log ``borderzone`` records to ``log_path`` for the block, and bad input to one line.

    Parameters
    ----------
    log_path
        The rule's log file (``snakemake.log[0]``), written anew with its folder; stderr
        when None (the one line then follows its log record there).
    level
        Lowest level of the records written.

    Raises
    ------
    SystemExit
        With status 1, after writing ``borderzone: <message>`` to stderr and the log, when
        the block raises a :class:`~borderzone.errors.BorderzoneError` or an
        :class:`OSError` (the message then starts with the file it names), or when the log
        file cannot be opened.

    Notes
    -----
    On exit the ``borderzone`` logger gets back its handlers and level, and warnings are
    no longer routed to logging (:func:`logging.captureWarnings`); ``sys.excepthook`` is
    never changed.
    """
    logger = logging.getLogger("borderzone")
    try:
        handler = _handler(log_path)
    except OSError as exc:  # no log to write to: stderr only
        print(f"borderzone: {_os_message(exc)}", file=sys.stderr)
        raise SystemExit(1) from None
    saved_handlers, saved_level = logger.handlers[:], logger.level
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logging.captureWarnings(True)
    try:
        yield
        logger.info(PEAK_RSS.format(**peak_rss_mb()))
    except BorderzoneError as exc:
        _exit(str(exc))
    except OSError as exc:
        _exit(_os_message(exc))
    finally:
        logging.captureWarnings(False)
        logger.handlers[:] = saved_handlers
        logger.setLevel(saved_level)
        with suppress(OSError):  # a full disk fails the last flush again
            handler.close()
