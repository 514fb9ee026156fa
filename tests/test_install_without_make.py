"""A plain install (``pip install -r requirements.txt``, no ``make``) serves Russian: the catalog compiles at start."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import sys
from tracker import create_app
from tracker.extensions import db
from tracker.services import settings

app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "SECRET_KEY": "x"})
with app.app_context():
    db.create_all()
    settings.ensure_defaults()
page = app.test_client().get("/login", headers={"Accept-Language": "ru"}).get_data(as_text=True)
print(page)
"""


def _copy_without_compiled_catalogs(target: Path) -> Path:
    for name in ("tracker", "templates", "static", "migrations"):
        if (ROOT / name).exists():
            shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    for name in ("wsgi.py", "requirements.txt"):
        shutil.copy(ROOT / name, target / name)
    assert not list(target.rglob("*.mo"))
    return target


def test_a_copy_without_the_compiled_catalog_serves_russian(tmp_path):
    app_dir = _copy_without_compiled_catalogs(tmp_path / "install")
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "db.sqlite")], cwd=app_dir,
                          capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Войти" in done.stdout and 'lang="ru"' in done.stdout
    assert (app_dir / "tracker/translations/ru/LC_MESSAGES/messages.mo").exists()


def test_a_read_only_package_compiles_into_the_instance_folder(tmp_path):
    app_dir = _copy_without_compiled_catalogs(tmp_path / "install")
    folder = app_dir / "tracker/translations/ru/LC_MESSAGES"
    folder.chmod(0o555)
    try:
        done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "db.sqlite")], cwd=app_dir,
                              capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    finally:
        folder.chmod(0o755)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Войти" in done.stdout
