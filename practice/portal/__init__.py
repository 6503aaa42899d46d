"""The partner's portal: their couple, their homework and worksheets, help and settings."""
