"""Where the shared acceptance data lives, and small survey files for the tests."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_data(name: str) -> Path:
    """``shared/data/<name>`` beside the clone (CI: a copy of shared/ next to the repository).

    Looked for as ``$SHARED_DATA_DIR/<name>``, then ``../shared/data`` from the repository and
    from its parent (a worktree sits one level deeper). A missing folder fails the test: the
    acceptance sets are part of the suite, not optional.
    """
    candidates = [Path(os.environ["SHARED_DATA_DIR"])] if os.environ.get("SHARED_DATA_DIR") else []
    candidates += [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    for folder in candidates:
        if (folder / name).is_dir():
            return folder / name
    pytest.fail(f"acceptance data {name!r} not found in any of {[str(c) for c in candidates]}; "
                "put a copy of shared/ beside the repository or set SHARED_DATA_DIR")


def readme_matrix(readme: Path) -> list[list[int]]:
    """The department advice matrix of the Krackhardt README (rows ``0: [0, 4, 1, 2, 1]``)."""
    text = readme.read_text(encoding="utf-8")
    block = text.split("Advice arcs aggregated", 1)[1]
    rows = re.findall(r"^\s*(\d+): \[([\d, ]+)\]", block, re.M)
    assert rows, "the README's matrix was not found"
    return [[int(v) for v in values.split(",")] for _i, values in rows]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_bytes(text.encode("utf-8"))
    return path
