"""Bulk migration of many repositories: `themis-lint migrate` (docs/migrate.md)."""
