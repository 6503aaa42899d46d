"""Accounts, sign-in, two-factor and server-side sessions, on Flask-Security."""
