"""Rendered charts kept in one place that every worker shares: a directory in the instance folder.

A chart is stored under its period and a *data version*: the SHA-256 of the data-version token
(:mod:`.data_version`, new at every commit that wrote analysed data) and the words and bounds
of the drawing, or, without a token, of everything the drawing is made from. A new rating
changes the version, so the next request draws afresh; a second worker finds the first one's
file and does not draw again. Files are written to a temporary name and renamed, so a reader never sees half a file.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import current_app

__all__ = ["cached_chart", "data_version", "cache_dir"]

#: Drawings of other versions of the same period kept beside the newest (older ones are removed).
KEEP_PER_PERIOD = 8


def cache_dir() -> Path:
    """``<instance>/cache/charts`` (config ``CHART_CACHE_DIR`` overrides), created when missing."""
    path = Path(current_app.config.get("CHART_CACHE_DIR") or Path(current_app.instance_path) / "cache" / "charts")
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_version(*parts) -> str:
    """A short hex digest of ``repr(parts)``: equal inputs (plain data, dataclasses) give equal versions."""
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:24]


def cached_chart(kind: str, period: str, version: str, fmt: str, draw: Callable[[], bytes]) -> bytes:
    """The bytes of chart ``kind`` for ``period`` at ``version`` in ``fmt``: from the shared cache,
    or drawn by ``draw()`` and stored. An unwritable cache directory only costs the drawing."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{kind}-{period}")
    path = cache_dir() / f"{safe}-{version}.{fmt}"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = draw()
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        _prune(path.parent, safe, fmt)
    except OSError:  # pragma: no cover - a read-only instance folder
        current_app.logger.warning("chart cache: cannot write %s", path)
    return data


def _prune(directory: Path, stem: str, fmt: str) -> None:
    """Keep the newest :data:`KEEP_PER_PERIOD` versions of one chart and period."""
    files = sorted(directory.glob(f"{stem}-*.{fmt}"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_PER_PERIOD:]:
        try:
            old.unlink()
        except OSError:
            pass
