"""Send the package's log records to a rule's log file."""

import logging
from pathlib import Path


def setup_logging(log_path: str | Path | None = None, *, level: int = logging.INFO) -> None:
    """Log ``borderzone`` records to ``log_path`` (and to stderr when it is None)."""
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
