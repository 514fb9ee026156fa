"""The analysis package stays pure: stdlib, networkx and itself only."""

import ast
import sys
from pathlib import Path

import tracker.analysis

PACKAGE = Path(tracker.analysis.__file__).parent


def _imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_imports_only_stdlib_networkx_and_itself():
    offending = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _imported_roots(path):
            root = name.split(".")[0]
            if root in sys.stdlib_module_names or root == "networkx" or name.startswith("tracker.analysis"):
                continue
            offending.append(f"{path.name}: {name}")
    assert offending == []


def test_public_names_are_exported():
    missing = [name for name in tracker.analysis.__all__ if not hasattr(tracker.analysis, name)]
    assert missing == []
