"""The layers the README promises, guarded so that a violation fails (issue 10).

- ``analysis/`` imports only the standard library, networkx and itself; ``charts/`` also
  matplotlib and the pure ``analysis`` — neither imports Flask, SQLAlchemy or any other
  package of the app, and relative imports (``from ..extensions import db``) count too.
- Views (the blueprint packages) never add, delete, flush or commit: services write.

Each guard is also fed a violating module, to show that it can fail.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[1] / "tracker"
BLUEPRINTS = ("admin", "api", "audit", "auth", "dashboard", "followups", "main", "profile", "rate", "rotations")
#: Third-party roots each pure package may import, and the app packages it may import.
PURE = {
    "tracker.analysis": ({"networkx"}, ("tracker.analysis",)),
    "tracker.charts": ({"networkx", "matplotlib"}, ("tracker.charts", "tracker.analysis")),
}
WRITES = {"add", "add_all", "delete", "flush", "commit"}


def imported_names(source: str, module: str) -> list[str]:
    """Absolute names imported by ``source``, the code of module ``module`` (relative imports resolved)."""
    package = module.rsplit(".", 1)[0]
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base)
                if node.module:
                    names.append(f"{prefix}.{node.module}")
                else:  # from . import x: each x may be a module of the package
                    names += [f"{prefix}.{alias.name}" for alias in node.names]
            else:
                names.append(node.module)
    return names


def impure_imports(source: str, module: str, third_party: set[str], own: tuple[str, ...]) -> list[str]:
    """The imports of ``source`` outside the standard library, ``third_party`` and the ``own`` packages."""
    bad = []
    for name in imported_names(source, module):
        root = name.split(".")[0]
        if root == "tracker":
            if not any(name == p or name.startswith(p + ".") for p in own):
                bad.append(name)
        elif root not in sys.stdlib_module_names and root not in third_party:
            bad.append(name)
    return bad


def session_writes(source: str) -> list[str]:
    """``session.add(…)``-style calls in ``source`` (``db.session.commit()``, ``session.flush()``…), with lines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITES:
            owner = node.func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if name == "session":
                found.append(f"line {node.lineno}: session.{node.func.attr}()")
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(TRACKER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) + (".__init__" if parts[-1] == "__init__"
                                                                           else "")


@pytest.mark.parametrize("package", sorted(PURE))
def test_pure_packages_import_no_flask_database_or_app(package):
    third_party, own = PURE[package]
    folder = TRACKER / package.split(".")[1]
    offending = {}
    for path in sorted(folder.rglob("*.py")):
        bad = impure_imports(path.read_text(encoding="utf-8"), _module_name(path), third_party, own)
        if bad:
            offending[path.name] = bad
    assert offending == {}


def test_views_do_not_write_to_the_session():
    offending = {}
    for blueprint in BLUEPRINTS:
        for path in sorted((TRACKER / blueprint).rglob("*.py")):
            found = session_writes(path.read_text(encoding="utf-8"))
            if found:
                offending[f"{blueprint}/{path.name}"] = found
    assert offending == {}


@pytest.mark.parametrize("source", [
    "from ..extensions import db\n",                 # relative: what the old guard let through
    "from .. import models\n",
    "from tracker.services import ratings\n",
    "import flask\n",
    "from sqlalchemy import select\n",
])
def test_the_purity_guard_fails_on_a_violating_module(tmp_path, source):
    module = tmp_path / "scores.py"
    module.write_text("import math\nimport networkx as nx\n" + source, encoding="utf-8")
    bad = impure_imports(module.read_text(encoding="utf-8"), "tracker.analysis.scores", *PURE["tracker.analysis"])
    assert len(bad) == 1


def test_the_purity_guard_accepts_the_package_itself_and_charts_may_read_analysis():
    assert impure_imports("from .health import rating_health\nfrom . import scores\n", "tracker.analysis.period",
                          *PURE["tracker.analysis"]) == []
    assert impure_imports("from ..analysis import round_half_away\n", "tracker.charts.graph",
                          *PURE["tracker.charts"]) == []
    assert impure_imports("from ..charts import render\n", "tracker.analysis.period", *PURE["tracker.analysis"]) \
        == ["tracker.charts"]


def test_the_view_guard_fails_on_a_view_that_commits(tmp_path):
    view = tmp_path / "routes.py"
    view.write_text("from ..extensions import db\n\n\ndef save():\n    db.session.add(object())\n"
                    "    db.session.commit()\n    db.session.rollback()\n", encoding="utf-8")
    assert session_writes(view.read_text(encoding="utf-8")) == ["line 5: session.add()", "line 6: session.commit()"]
