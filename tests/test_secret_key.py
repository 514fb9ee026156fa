"""SECRET_KEY outside production: a random key of this install, never a string from the source."""
import re
from pathlib import Path

from flask import Flask

from tracker import create_app
from tracker.config import Config, instance_secret_key
from tracker.extensions import db

from . import factories

ROOT = Path(__file__).resolve().parent.parent
#: The keys the source once carried (tracker/config.py and the Makefile's ``make run``).
OLD_FIXED_KEYS = ("dev-only-insecure-key", "dev-make-run-key")


def _forged_cookie(key: str, user) -> str:
    """A session cookie that names ``user`` as logged in, signed with ``key``."""
    signer = Flask("forger")
    signer.secret_key = key
    serializer = signer.session_interface.get_signing_serializer(signer)
    return serializer.dumps({"_user_id": f"{user.id}:{user.session_version}", "_fresh": True})


def test_unset_key_is_random_kept_in_the_instance_folder_and_stable(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    first = Config.from_env(str(tmp_path))["SECRET_KEY"]
    assert first not in OLD_FIXED_KEYS and len(first) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == first
    # A restart, or another worker of the same install, reads the same key.
    assert Config.from_env(str(tmp_path))["SECRET_KEY"] == first
    assert instance_secret_key(str(tmp_path)) == first
    # Another install gets another key.
    other = tmp_path / "other"
    other.mkdir()
    assert Config.from_env(str(other))["SECRET_KEY"] != first


def test_cookie_forged_with_the_old_fixed_key_is_refused(monkeypatch, tmp_path, app, database_url):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    org = factories.worked_example()
    settings = Config.from_env(str(tmp_path))
    dev = create_app({**settings, "SQLALCHEMY_DATABASE_URI": database_url})
    try:
        for key in OLD_FIXED_KEYS:
            client = dev.test_client()
            client.set_cookie("session", _forged_cookie(key, org.users["admin"]))
            response = client.get("/admin/users")
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        # The control: the same cookie signed with the install's own key does log in.
        client = dev.test_client()
        client.set_cookie("session", _forged_cookie(settings["SECRET_KEY"], org.users["admin"]))
        assert client.get("/admin/users").status_code == 200
    finally:
        with dev.app_context():
            db.engine.dispose()


def test_no_fixed_key_in_the_source():
    for path in [ROOT / "Makefile", *sorted((ROOT / "tracker").rglob("*.py"))]:
        text = path.read_text(encoding="utf-8")
        for key in OLD_FIXED_KEYS:
            assert key not in text, f"{path} carries the fixed key {key!r}"
        assert not re.search(r"SECRET_KEY=\$\$\{SECRET_KEY:-", text), f"{path} passes a fixed default key"
