"""data version: one row whose token changes with the analysed data

Revision ID: b7d4a0c1e218
Revises: 861bed1a2fe0
Create Date: 2026-12-04 16:10:00

"""
import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d4a0c1e218'
down_revision = '861bed1a2fe0'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'token': uuid.uuid4().hex}])


def downgrade():
    op.drop_table('data_version')
