"""Micro-habit homework: counselors assign habits, partners log them, each partner's week is seen."""
