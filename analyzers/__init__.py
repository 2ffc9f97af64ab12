"""themis-lint analyzers."""
