"""an index on invitation.partner_id: a page reads a partner's invitations without scanning them all

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_partner_id'), ['partner_id'], unique=False)


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_partner_id'))
