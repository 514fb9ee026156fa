"""periods never overlap: an exclusion constraint (PostgreSQL) or triggers (SQLite)

Revision ID: b7d1e0a11f01
Revises: cffa1a0e1b68
Create Date: 2026-12-04 16:40:00

The services refuse an overlapping period first (naming it); this guard holds against
every other writer. A database that already holds overlapping periods cannot take it:
the upgrade then fails naming the constraint, and the admin merges the periods first.
"""
from alembic import op

from tracker.models.rating import PERIOD_OVERLAP_DDL

# revision identifiers, used by Alembic.
revision = 'b7d1e0a11f01'
down_revision = 'cffa1a0e1b68'
branch_labels = None
depends_on = None


def upgrade():
    for statement in PERIOD_OVERLAP_DDL.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("ALTER TABLE periods DROP CONSTRAINT ex_periods_no_overlap")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER periods_no_overlap_insert")
        op.execute("DROP TRIGGER periods_no_overlap_update")
