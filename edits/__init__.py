"""Edits: text built for fixes, by syntax (config keys, Python and JS literals, AQL, data values)."""
