"""staff invitations: single-use links for new counselors

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 18:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

import practice.db_types

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_invitation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', practice.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', practice.db_types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', practice.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', practice.db_types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['user.id'],
                            name=op.f('fk_staff_invitation_invited_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_staff_invitation_token_hash'))
    )
    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_invitation_email'), ['email'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_invitation_email'))

    op.drop_table('staff_invitation')
