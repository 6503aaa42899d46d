"""Session notes: structured, quick to write, signed and locked, encrypted, read by their author alone."""
