"""A real LSP client (pygls's LanguageClient) driving `themis-lint server` over stdio.

Positions are converted here independently of the server's code: LSP lines split at
`\\n`, `\\r\\n` and `\\r`; characters count UTF-16 code units.
"""
from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from lsprotocol import types as T
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

WAIT = 120  # seconds: generous, only so that a broken server fails the test instead of hanging it


def uri(path: Path) -> str:
    return from_fs_path(str(path))


def offset(text: str, pos: T.Position) -> int:
    """A UTF-16 position in `text` as a str offset (the client side of the conversion)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    at = starts[pos.line]
    units = 0
    while units < pos.character:
        units += 2 if ord(text[at]) > 0xFFFF else 1
        at += 1
    return at


def apply(text: str, edits: list[T.TextEdit]) -> str:
    """Apply TextEdits as an editor does: all positions refer to the text before any edit."""
    spans = sorted(((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits),
                   key=lambda s: (s[0], s[1]), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(action: T.CodeAction, doc_uri: str) -> list[T.TextEdit]:
    edit = action.edit
    if edit.document_changes:
        return [e for change in edit.document_changes if change.text_document.uri == doc_uri for e in change.edits]
    return list(edit.changes.get(doc_uri, []))


class Client(LanguageClient):
    """pygls's client, keeping the server's exit code (its documented `server_exit` hook)."""

    def __init__(self):
        super().__init__("themis-lint-tests", "1")
        self.exited: asyncio.Future | None = None

    async def server_exit(self, server) -> None:
        self.exited.set_result(server.returncode)


class Session:
    """One server process, its published diagnostics and the messages it logged."""

    def __init__(self, root: Path):
        self.root = root
        self.client = Client()
        self.diagnostics: dict[str, T.PublishDiagnosticsParams] = {}
        self.registrations: list[T.Registration] = []
        self.logs: list[str] = []
        self.changed = asyncio.Condition()
        self.versions: dict[str, int] = {}

        @self.client.feature(T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def published(params: T.PublishDiagnosticsParams) -> None:
            async with self.changed:
                self.diagnostics[params.uri] = params
                self.changed.notify_all()

        @self.client.feature(T.CLIENT_REGISTER_CAPABILITY)
        def register(params: T.RegistrationParams) -> None:
            self.registrations += params.registrations

        @self.client.feature(T.WINDOW_LOG_MESSAGE)
        def logged(params: T.LogMessageParams) -> None:
            self.logs.append(params.message)

    async def start(self, encodings: list[str] | None = None) -> T.InitializeResult:
        self.client.exited = asyncio.get_running_loop().create_future()
        await self.client.start_io(sys.executable, "-m", "themis_lint", "server", cwd=str(self.root))
        general = T.GeneralClientCapabilities(position_encodings=encodings) if encodings else None
        caps = T.ClientCapabilities(
            general=general,
            workspace=T.WorkspaceClientCapabilities(
                did_change_watched_files=T.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
                workspace_edit=T.WorkspaceEditClientCapabilities(document_changes=True)),
            text_document=T.TextDocumentClientCapabilities(
                code_action=T.CodeActionClientCapabilities(code_action_literal_support=T.ClientCodeActionLiteralOptions(
                    T.ClientCodeActionKindOptions([T.CodeActionKind.QuickFix, T.CodeActionKind.SourceFixAll])))))
        result = await self.client.initialize_async(T.InitializeParams(
            capabilities=caps, root_uri=uri(self.root),
            workspace_folders=[T.WorkspaceFolder(uri(self.root), self.root.name)]))
        self.client.initialized(T.InitializedParams())
        return result

    def open(self, path: Path, text: str | None = None, language: str = "plaintext") -> str:
        doc = uri(path)
        self.versions[doc] = 1
        text = path.read_text(encoding="utf-8") if text is None else text
        self.client.text_document_did_open(T.DidOpenTextDocumentParams(T.TextDocumentItem(doc, language, 1, text)))
        return doc

    def change(self, doc: str, edits: list[T.TextEdit]) -> None:
        """Send edits as incremental changes, one after the other (as editors do)."""
        self.versions[doc] += 1
        changes = [T.TextDocumentContentChangePartial(range=e.range, text=e.new_text) for e in edits]
        self.client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(version=self.versions[doc], uri=doc), changes))

    def replace_all(self, doc: str, text: str) -> None:
        self.versions[doc] += 1
        self.client.text_document_did_change(T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(version=self.versions[doc], uri=doc),
            [T.TextDocumentContentChangeWholeDocument(text=text)]))

    async def wait_for(self, doc: str, predicate=lambda diags: True, version: int | None = None) -> list[T.Diagnostic]:
        """The diagnostics of `doc` once a publication satisfies `predicate` (and is for `version`)."""
        def ready() -> bool:
            got = self.diagnostics.get(doc)
            return got is not None and (version is None or got.version == version) and predicate(got.diagnostics)

        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(ready), WAIT)
        return list(self.diagnostics[doc].diagnostics)

    def forget(self, doc: str) -> None:
        self.diagnostics.pop(doc, None)

    async def actions(self, doc: str, rng: T.Range, only: list[str] | None = None,
                      diagnostics: list[T.Diagnostic] = ()) -> list[T.CodeAction]:
        found = await asyncio.wait_for(self.client.text_document_code_action_async(T.CodeActionParams(
            T.TextDocumentIdentifier(doc), rng, T.CodeActionContext(diagnostics=list(diagnostics), only=only))), WAIT)
        return list(found or [])

    async def stop(self) -> int:
        """shutdown, exit, and the server's exit code."""
        await asyncio.wait_for(self.client.shutdown_async(None), WAIT)
        self.client.exit(None)
        code = await asyncio.wait_for(self.client.exited, WAIT)
        await self.client.stop()
        return code


def run(coroutine):
    return asyncio.run(coroutine)


def line_range(line: int) -> T.Range:
    """A whole line selected (0-based)."""
    return T.Range(T.Position(line, 0), T.Position(line + 1, 0))
