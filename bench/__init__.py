"""Benchmarks behind `make bench`: figures, not pass/fail."""
