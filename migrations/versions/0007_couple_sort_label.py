"""couple.sort_label and an index on (counselor_id, status, sort_label, id): the caseload reads a
page of couples in name order from the index instead of sorting every couple by lower(label)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 21:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_label', sa.String(length=360), nullable=True))
    # Lowered in Python, as the model does (SQLite's lower() leaves non-ASCII letters alone).
    connection = op.get_bind()
    couple = sa.table('couple', sa.column('id'), sa.column('label'), sa.column('sort_label'))
    for couple_id, label in connection.execute(sa.select(couple.c.id, couple.c.label)).all():
        connection.execute(couple.update().where(couple.c.id == couple_id).values(sort_label=label.lower()))
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.alter_column('sort_label', existing_type=sa.String(length=360), nullable=False)
        batch_op.create_index('ix_couple_caseload', ['counselor_id', 'status', 'sort_label', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('couple', schema=None) as batch_op:
        batch_op.drop_index('ix_couple_caseload')
        batch_op.drop_column('sort_label')
