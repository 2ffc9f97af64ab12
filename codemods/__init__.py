"""themis-lint codemods."""
