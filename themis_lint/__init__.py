"""themis-lint: find and rewrite ThemisDB upgrade breakage."""
__version__ = "0.1.0"
