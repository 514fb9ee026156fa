"""rotations use the one-time form tokens of every create form

Revision ID: c3a0f0a1d001
Revises: b15a7e5d0c01
Create Date: 2026-12-04 20:00:00

The rotation form had its own ``request_token`` column; it now goes through
``tracker/services/once.py`` (table ``form_submissions``) like every create form, so the
column and its unique key go.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3a0f0a1d001'
down_revision = 'b15a7e5d0c01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_rotations_request_token'), type_='unique')
        batch_op.drop_column('request_token')


def downgrade():
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_rotations_request_token'), ['request_token'])
