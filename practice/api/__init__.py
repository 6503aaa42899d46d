"""The JSON API under /api/v1, documented by its OpenAPI document."""
