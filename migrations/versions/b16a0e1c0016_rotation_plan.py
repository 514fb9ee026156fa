"""rotation plan: person, period, purpose, agreement, notes, cancel reason, one-time token

Revision ID: b16a0e1c0016
Revises: b7d4a0c1e218
Create Date: 2026-12-04 16:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b16a0e1c0016'
down_revision = 'b7d4a0c1e218'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('period_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('purpose', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('contract_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('visitor_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('host_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('request_token', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_rotations_period_id'), ['period_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_rotations_request_token'), ['request_token'])
        batch_op.create_foreign_key(batch_op.f('fk_rotations_person_user_id_users'), 'users',
                                    ['person_user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_rotations_period_id_periods'), 'periods', ['period_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_rotations_contract_id_contracts'), 'contracts',
                                    ['contract_id'], ['id'])


def downgrade():
    with op.batch_alter_table('rotations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_rotations_contract_id_contracts'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_rotations_period_id_periods'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_rotations_person_user_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_rotations_request_token'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_rotations_period_id'))
        batch_op.drop_column('request_token')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('host_note')
        batch_op.drop_column('visitor_note')
        batch_op.drop_column('contract_id')
        batch_op.drop_column('purpose')
        batch_op.drop_column('period_id')
        batch_op.drop_column('person_user_id')
