"""Online backup and restore of the SQLite database."""
import pytest

from tracker.extensions import db
from tracker.models import Department
from tracker.services import backup as backup_service

from .conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite backup; PostgreSQL uses pg_dump")


def _codes() -> list[str]:
    return sorted(db.session.scalars(db.select(Department.code)))


def test_backup_then_restore_gives_back_the_data(app, runner, org, tmp_path):
    before = _codes()
    result = runner.invoke(args=["backup", str(tmp_path / "b.sqlite")])
    assert result.exit_code == 0, result.output
    db.session.add(Department(code="NEW", name="New", kind="internal"))
    db.session.commit()
    assert "NEW" in _codes()
    result = runner.invoke(args=["restore", str(tmp_path / "b.sqlite"), "--yes"])
    assert result.exit_code == 0, result.output
    assert _codes() == before


def test_backup_refuses_to_overwrite(app, tmp_path):
    target = tmp_path / "exists.sqlite"
    target.write_text("x")
    with pytest.raises(backup_service.BackupError, match="exists already"):
        backup_service.backup(target)


def test_restore_refuses_a_foreign_file(app, tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    import sqlite3

    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(backup_service.BackupError, match="not a backup of this app"):
        backup_service.restore(foreign)
    with pytest.raises(backup_service.BackupError, match="no backup file"):
        backup_service.restore(tmp_path / "missing.sqlite")
