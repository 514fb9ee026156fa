"""KPI targets: six metrics, kept with a closed period

Revision ID: b13c0a7e0001
Revises: b16a0e1c0016
Create Date: 2026-12-04 16:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b13c0a7e0001'
down_revision = 'b16a0e1c0016'
branch_labels = None
depends_on = None

NEW = "metric IN ('nps', 'csat', 'standard_met', 'response_rate', 'followups_on_time', 'mean_health')"
OLD = "metric IN ('nps', 'csat', 'response_rate', 'followups_on_time')"


def upgrade():
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kpi_targets', sa.Text(), nullable=True))
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.drop_constraint('metric', type_='check')
        batch_op.create_check_constraint('metric', NEW)


def downgrade():
    op.execute("DELETE FROM kpi_targets WHERE metric IN ('standard_met', 'mean_health')")
    with op.batch_alter_table('kpi_targets', schema=None) as batch_op:
        batch_op.drop_constraint('metric', type_='check')
        batch_op.create_check_constraint('metric', OLD)
    with op.batch_alter_table('periods', schema=None) as batch_op:
        batch_op.drop_column('kpi_targets')
