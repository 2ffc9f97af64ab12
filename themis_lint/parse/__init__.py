"""Shared parsers that keep source spans: JSON, shell words, YAML nodes, config trees."""
