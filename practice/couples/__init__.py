"""The counselor's caseload: couples, their partners and partner invitations."""
