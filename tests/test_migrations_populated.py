"""Every migration, down and up, over a populated database (the demo), on SQLite and PostgreSQL.

On SQLite a batch migration copies the table (create ``_alembic_tmp_x``, copy, drop ``x``,
rename); with foreign keys on, dropping a referenced table failed with "FOREIGN KEY constraint
failed" and left ``_alembic_tmp_*`` behind. ``migrations/env.py`` now runs SQLite migrations with
foreign keys off, in one transaction, and checks them (``PRAGMA foreign_key_check``) before commit.
"""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, text

from tracker.extensions import db
from tracker.models import Contract, Department, Rating, RatingScore, User


def _revisions(app) -> list[str]:
    """Revision ids from the first to the head."""
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _state() -> dict:
    db.session.remove()
    counts = {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
              for m in (Department, Contract, Rating, RatingScore, User)}
    db.session.remove()
    return counts


def _check_clean() -> None:
    names = inspect(db.engine).get_table_names()
    assert not [n for n in names if n.startswith("_alembic_tmp_")], names
    if db.engine.dialect.name == "sqlite":
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


@pytest.fixture
def migrated_demo(app, runner):
    """The demo company in a database built by the migrations (not by ``create_all``)."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    yield app
    # A server database is shared by the next tests: leave the models' schema, without Alembic's mark.
    db.session.remove()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_every_revision_down_and_up_over_the_demo(migrated_demo):
    revisions = _revisions(migrated_demo)
    before = _state()
    assert before["ratings"] > 100
    for target in reversed(revisions[:-1]):  # down one step at a time to the first revision
        downgrade(revision=target)
        _check_clean()
        assert _state() == before, f"data lost going down to {target}"
    for target in revisions[1:]:  # and up again, one step at a time
        upgrade(revision=target)
        _check_clean()
        assert _state() == before, f"data lost going up to {target}"


def test_a_failing_sqlite_migration_leaves_no_half_copied_table(migrated_demo, monkeypatch):
    """A dangling reference found by the check rolls the whole step back (SQLite only)."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL checks foreign keys itself, inside its transactional DDL")
    revisions = _revisions(migrated_demo)
    # A contract pointing at a department that is not there: the check after the copy must refuse it.
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("UPDATE contracts SET customer_id = 999999 WHERE id = (SELECT min(id) FROM contracts)")
        conn.commit()
    db.engine.dispose()
    with pytest.raises(SystemExit):  # Flask-Migrate logs "migration refused: foreign key check failed …"
        # through 861bed1a2fe0, whose downgrade copies users and periods
        downgrade(revision=revisions[revisions.index("861bed1a2fe0") - 1])
    names = inspect(db.engine).get_table_names()
    assert not [n for n in names if n.startswith("_alembic_tmp_")], names
    with db.engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == revisions[-1]  # nothing of the step was kept
