"""default rating criteria

Revision ID: a1c0ffee0001
Revises: 129c9c97ee79
Create Date: 2026-11-29 12:40:00

"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = "a1c0ffee0001"
down_revision = "129c9c97ee79"
branch_labels = None
depends_on = None

CRITERIA = (
    ("quality", "Quality", "Качество"),
    ("timeliness", "Timeliness", "Своевременность"),
    ("communication", "Communication", "Коммуникация"),
    ("value", "Value for money", "Соотношение цены и качества"),
)


def upgrade():
    criteria = sa.table(
        "criteria",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("name_ru", sa.String),
        sa.column("weight", sa.Float),
        sa.column("position", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    # A criterion kept by the downgrade (it has scores) is not inserted twice.
    present = set(op.get_bind().execute(sa.text("SELECT key FROM criteria")).scalars())
    op.bulk_insert(
        criteria,
        [
            {"key": k, "name": n, "name_ru": r, "weight": 1.0, "position": i, "created_at": now, "updated_at": now}
            for i, (k, n, r) in enumerate(CRITERIA) if k not in present
        ],
    )


def downgrade():
    # Nothing with history is hard-deleted: a criterion that rating scores use stays.
    op.execute(sa.text(
        "DELETE FROM criteria WHERE key IN ('quality', 'timeliness', 'communication', 'value') "
        "AND id NOT IN (SELECT criterion_id FROM rating_scores)"
    ))
