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


def _stamp(path, revision: str) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    conn.execute("DELETE FROM alembic_version")
    conn.execute("INSERT INTO alembic_version VALUES (?)", (revision,))
    conn.commit()
    conn.close()


def _live_path() -> str:
    return db.engine.url.database


def test_restore_refuses_a_backup_of_another_schema_version(app, runner, org, tmp_path):
    _stamp(_live_path(), "bbbb2222")
    backup_path = tmp_path / "old.sqlite"
    assert runner.invoke(args=["backup", str(backup_path)]).exit_code == 0
    _stamp(backup_path, "aaaa1111")
    db.session.add(Department(code="NEW", name="New", kind="internal"))
    db.session.commit()
    result = runner.invoke(args=["restore", str(backup_path), "--yes"])
    assert result.exit_code != 0
    assert "schema version aaaa1111 but this database has bbbb2222" in result.output
    assert "NEW" in _codes()  # nothing was replaced


def test_restore_refuses_an_unversioned_backup_into_a_versioned_database(app, runner, org, tmp_path):
    backup_path = tmp_path / "plain.sqlite"
    assert runner.invoke(args=["backup", str(backup_path)]).exit_code == 0
    _stamp(_live_path(), "bbbb2222")
    with pytest.raises(backup_service.BackupError, match="schema version none but this database has bbbb2222"):
        backup_service.restore(backup_path)


def test_restore_of_the_same_schema_version_works(app, runner, org, tmp_path):
    _stamp(_live_path(), "bbbb2222")
    backup_path = tmp_path / "same.sqlite"
    assert runner.invoke(args=["backup", str(backup_path)]).exit_code == 0
    db.session.add(Department(code="NEW", name="New", kind="internal"))
    db.session.commit()
    result = runner.invoke(args=["restore", str(backup_path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "NEW" not in _codes()
