"""Every feature's models, imported in one place for Alembic and ``create_all``."""

from practice.admin.models import StaffInvitation
from practice.audit import AuditEvent, AuditHead
from practice.auth.drafts import FormDraft
from practice.auth.models import LoginSession, Role, User, WebAuthn, roles_users
from practice.couples.models import Couple, Invitation, Partner
from practice.homework.models import HabitAssignment, HabitChange, HabitLog, HabitSettings
from practice.notes.models import NoteAddendum, SessionNote
from practice.worksheets.models import (
    SafetyCheck,
    WorksheetAssignment,
    WorksheetComment,
    WorksheetDefinition,
    WorksheetEntry,
    WorksheetResponse,
)

__all__ = [
    "AuditEvent", "AuditHead", "Couple", "FormDraft", "HabitAssignment", "HabitChange", "HabitLog",
    "HabitSettings", "Invitation", "LoginSession", "NoteAddendum", "Partner", "Role", "SafetyCheck",
    "SessionNote", "StaffInvitation", "User", "WebAuthn",
    "WorksheetAssignment", "WorksheetComment", "WorksheetDefinition", "WorksheetEntry", "WorksheetResponse",
    "roles_users",
]
