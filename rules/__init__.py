"""themis-lint rules."""
