"""discreet mode: a neutral tab title for a user who asks for one

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 18:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    # The server default fills the column for every existing account: discreet mode starts off.
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discreet', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('discreet')
