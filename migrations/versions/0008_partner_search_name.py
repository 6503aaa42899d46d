"""partner.search_name: the caseload search matches partners' names in lower case, lowered once
when the name is set instead of by lower(name) over every partner on each search

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 21:35:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(length=360), nullable=True))
    # Lowered in Python, as the model does (SQLite's lower() leaves non-ASCII letters alone).
    connection = op.get_bind()
    partner = sa.table('partner', sa.column('id'), sa.column('name'), sa.column('search_name'))
    for partner_id, name in connection.execute(sa.select(partner.c.id, partner.c.name)).all():
        connection.execute(partner.update().where(partner.c.id == partner_id).values(search_name=name.lower()))
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.alter_column('search_name', existing_type=sa.String(length=360), nullable=False)


def downgrade():
    with op.batch_alter_table('partner', schema=None) as batch_op:
        batch_op.drop_column('search_name')
