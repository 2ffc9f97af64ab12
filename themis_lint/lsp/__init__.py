"""`themis-lint server`: the language server (docs/editors.md). pygls is imported only here."""
from __future__ import annotations


def serve() -> int:
    """Speak LSP on stdin/stdout until the client says exit; the process exit code."""
    from themis_lint.lsp.server import run

    return run()
