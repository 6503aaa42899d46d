"""The practice owner's pages: counselor accounts."""
