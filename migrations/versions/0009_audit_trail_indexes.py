"""a couple's audit trail read off two indexes: its events newest first, and who did what

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 22:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_couple_id')
        batch_op.create_index('ix_audit_event_couple_seq', ['couple_id', 'seq'], unique=False)
        batch_op.create_index('ix_audit_event_couple_actor_action', ['couple_id', 'actor_id', 'action'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_couple_actor_action')
        batch_op.drop_index('ix_audit_event_couple_seq')
        batch_op.create_index('ix_audit_event_couple_id', ['couple_id'], unique=False)
