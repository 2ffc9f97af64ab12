"""The language server: documents, debounced analysis in worker processes, diagnostics, code actions.

pygls speaks the protocol; lsprotocol has the types. Documents are kept here, not in pygls's
workspace: pygls splits lines with `str.splitlines` (form feeds, U+2028), LSP does not.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
from dataclasses import dataclass, field

from lsprotocol import types as T
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method
from pygls.uris import from_fs_path, to_fs_path

from themis_lint import __version__
from themis_lint.lsp.analysis import ConfigProblem, Item, Job, Outcome
from themis_lint.lsp.convert import FIX_ALL, SOURCE, diagnostic, error_diagnostic
from themis_lint.lsp.positions import apply_change
from themis_lint.lsp.workers import Pool

DEBOUNCE = 0.3  # seconds of quiet typing before a changed buffer is analysed
CONFIG_NAMES = (".themis-lint.toml", "pyproject.toml")
log = logging.getLogger("themis_lint.lsp")


@dataclass
class Doc:
    uri: str
    path: str | None  # None: not a file (an untitled buffer): never analysed
    text: str
    version: int
    timer: asyncio.TimerHandle | None = None
    result: tuple[int, list[Item]] | None = None  # (version, findings) last published
    waiters: list[asyncio.Future] = field(default_factory=list)
    fix_all: tuple[int, list] | None = None  # (version, edits) of the last fix-all


class Protocol(LanguageServerProtocol):
    """pygls's protocol with our own document store for open/change/close."""

    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: T.DidOpenTextDocumentParams) -> None:
        self._server.opened(params.text_document)

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: T.DidChangeTextDocumentParams) -> None:
        self._server.changed(params)

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: T.DidCloseTextDocumentParams) -> None:
        self._server.closed(params.text_document.uri)


class Server(LanguageServer):
    def __init__(self):
        super().__init__("themis-lint", __version__, protocol_cls=Protocol,
                         text_document_sync_kind=T.TextDocumentSyncKind.Incremental)
        self.docs: dict[str, Doc] = {}
        self.pool: Pool | None = None
        self.generation = 0  # bumped on every config reload
        self.problems: dict[str, T.Diagnostic] = {}  # config file uri -> its one diagnostic
        self.unclaimed: set[tuple[str, int]] = set()  # (uri, generation) no surface wants
        self.shut_down = False

    def shutdown(self) -> None:
        """pygls's own shutdown joins its stdin reader thread, which blocks until the client
        closes the pipe (some never do before waiting for the exit): stop without joining."""
        if self._stop_event is not None:
            self._stop_event.set()
        if self._thread_pool is not None:
            self._thread_pool.shutdown(wait=False, cancel_futures=True)

    # --- documents ---

    def encoding(self) -> str:
        return str(self.workspace.position_encoding or "utf-16")

    def opened(self, item: T.TextDocumentItem) -> None:
        path = to_fs_path(item.uri) if item.uri.startswith("file:") else None
        doc = self.docs[item.uri] = Doc(item.uri, path, item.text, item.version)
        self.analyse(doc)

    def changed(self, params: T.DidChangeTextDocumentParams) -> None:
        doc = self.docs.get(params.text_document.uri)
        if doc is None:
            return
        for change in params.content_changes:
            doc.text = apply_change(doc.text, change, self.encoding())
        doc.version = params.text_document.version
        if doc.timer is not None:
            doc.timer.cancel()
        doc.timer = asyncio.get_running_loop().call_later(DEBOUNCE, self.analyse, doc)

    def closed(self, uri: str) -> None:
        doc = self.docs.pop(uri, None)
        if doc is None:
            return
        if doc.timer is not None:
            doc.timer.cancel()
        self._wake(doc)
        self.publish(uri, [], None)

    def display(self, path: str) -> str:
        """The name `check` would report when run at the root of the file's workspace folder."""
        roots = [to_fs_path(f.uri) for f in self.workspace.folders.values()]
        if self.workspace.root_path:
            roots.append(self.workspace.root_path)
        inside = [r for r in roots if r and os.path.commonpath([os.path.abspath(r), path]) == os.path.abspath(r)]
        if not inside:
            return path
        return os.path.relpath(path, max(inside, key=len)).replace(os.sep, "/")

    # --- analysis ---

    def job(self, doc: Doc, kind: str, target: tuple[str, int] = ("", 0)) -> Job:
        return Job(kind, doc.path, self.display(doc.path), doc.text, self.encoding(), self.generation, target)

    def analyse(self, doc: Doc) -> None:
        doc.timer = None
        if doc.path is None or (doc.uri, self.generation) in self.unclaimed or self.pool is None:
            self._settle(doc, doc.version, [])
            return
        version, generation = doc.version, self.generation
        future = self.pool.submit(self.job(doc, "check"), f"check {doc.uri}")
        future.add_done_callback(lambda f: self._checked(doc, version, generation, f))

    def _checked(self, doc: Doc, version: int, generation: int, future: asyncio.Future) -> None:
        if future.cancelled() or self.docs.get(doc.uri) is not doc:
            return  # superseded by a newer change, or closed
        if future.exception() is not None:
            self._settle(doc, version, [], [f"internal error: {future.exception()}"])
            return
        if generation != self.generation:
            return  # configs changed meanwhile: a newer analysis is under way, and this one's problem may be gone
        outcome: Outcome = future.result()
        if outcome.note == "claimed by no surface":
            self.unclaimed.add((doc.uri, generation))
        elif outcome.note:
            self.show(outcome.note, T.MessageType.Info)
        if outcome.problem is not None:
            self.config_broken(outcome.problem)
        elif outcome.config is not None:
            self.config_fine(outcome.config)
        if version == doc.version:
            self._settle(doc, version, outcome.items, outcome.errors)

    def _settle(self, doc: Doc, version: int, items: list[Item], errors: list[str] = ()) -> None:
        doc.result = (version, items)
        for line in errors:
            self.show(line, T.MessageType.Error)
        diagnostics = [diagnostic(i) for i in items] + [error_diagnostic(line) for line in errors]
        self.publish(doc.uri, diagnostics, version)
        self._wake(doc)

    def _wake(self, doc: Doc) -> None:
        waiters, doc.waiters = doc.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def publish(self, uri: str, diagnostics: list[T.Diagnostic], version: int | None) -> None:
        """A document's diagnostics, plus the config problem when it is that config file."""
        extra = [self.problems[uri]] if uri in self.problems else []
        self.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri, diagnostics + extra, version))

    async def current_items(self, doc: Doc) -> list[Item] | None:
        """The findings of the document as it is now (waiting for a pending analysis)."""
        while self.docs.get(doc.uri) is doc:
            if doc.result is not None and doc.result[0] == doc.version:
                return doc.result[1]
            waiter = asyncio.get_running_loop().create_future()
            doc.waiters.append(waiter)
            if doc.timer is not None:  # a code action cannot wait for the typist to pause
                doc.timer.cancel()
                self.analyse(doc)
            await waiter
        return None

    async def run_job(self, doc: Doc, kind: str, target: tuple[str, int] = ("", 0)) -> Outcome | None:
        try:
            return await self.pool.submit(self.job(doc, kind, target), f"{kind} {doc.uri} {target}")
        except asyncio.CancelledError:
            return None

    # --- configs ---

    def config_broken(self, problem: ConfigProblem) -> None:
        if problem.config is None:
            self.show(problem.message, T.MessageType.Error)
            return
        uri = from_fs_path(problem.config)
        where = T.Range(T.Position(problem.line, 0), T.Position(problem.line + 1, 0))
        diag = T.Diagnostic(where, problem.message, T.DiagnosticSeverity.Error, source=SOURCE)
        if self.problems.get(uri) != diag:
            self.problems[uri] = diag
            self._republish(uri)

    def config_fine(self, config: str) -> None:
        """A config just governed a check without a problem: any diagnostic on it is stale."""
        uri = from_fs_path(config)
        if self.problems.pop(uri, None) is not None:
            self._republish(uri)

    def _republish(self, uri: str) -> None:
        """A config file's diagnostics after its problem changed (its own findings, if open)."""
        doc = self.docs.get(uri)
        own = [diagnostic(i) for i in doc.result[1]] if doc is not None and doc.result else []
        self.publish(uri, own, doc.version if doc is not None else None)

    def reload(self) -> None:
        """Configs or packs changed: forget every Setup, clear config problems, analyse again."""
        self.generation += 1
        cleared, self.problems = self.problems, {}
        for uri in cleared:
            if uri not in self.docs:
                self.publish(uri, [], None)
        for doc in list(self.docs.values()):
            if doc.timer is not None:
                doc.timer.cancel()
            self.analyse(doc)

    def show(self, message: str, kind: T.MessageType) -> None:
        self.window_log_message(T.LogMessageParams(kind, f"themis-lint: {message}"))


def build() -> Server:
    server = Server()
    register(server)
    return server


def register(server: Server) -> None:
    @server.feature(T.INITIALIZED)
    async def initialized(ls: Server, params: T.InitializedParams) -> None:
        ls.pool = Pool()
        for doc in ls.docs.values():
            ls.analyse(doc)
        await watch_configs(ls)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    def saved(ls: Server, params: T.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri.rsplit("/", 1)[-1] in CONFIG_NAMES:
            ls.reload()
        elif (doc := ls.docs.get(params.text_document.uri)) is not None:
            if doc.timer is not None:
                doc.timer.cancel()
            ls.analyse(doc)

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: Server, params: T.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.rsplit("/", 1)[-1] in CONFIG_NAMES for change in params.changes):
            ls.reload()

    @server.feature(T.TEXT_DOCUMENT_CODE_ACTION,
                    T.CodeActionOptions(code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL]))
    async def code_action(ls: Server, params: T.CodeActionParams):
        from themis_lint.lsp.actions import code_actions

        return await code_actions(ls, params)

    @server.feature(T.SHUTDOWN)
    def shutdown(ls: Server, params) -> None:
        ls.shut_down = True
        if ls.pool is not None:
            ls.pool.close()


async def watch_configs(ls: Server) -> None:
    """Ask the client to report config changes (when it can register watchers dynamically)."""
    caps = ls.client_capabilities.workspace
    watched = caps.did_change_watched_files if caps is not None else None
    if watched is None or not watched.dynamic_registration:
        return
    watchers = [T.FileSystemWatcher(glob_pattern=f"**/{name}") for name in CONFIG_NAMES]
    options = T.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
    registration = T.Registration("themis-lint-configs", T.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)
    try:
        await ls.client_register_capability_async(T.RegistrationParams([registration]))
    except Exception as exc:  # noqa: BLE001  the client refused: configs are still reloaded on save
        log.warning("could not watch config files: %s", exc)


def run() -> int:
    """Serve on stdio; 0 after shutdown then exit, 1 when the client exits without shutdown (LSP)."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="themis-lint server: %(message)s")
    server = build()
    try:
        server.start_io()
    finally:
        if server.pool is not None:
            server.pool.close()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the exit notification closes stdout
            pass
    # the stdin reader thread may still wait for input that never comes: leave without joining it
    os._exit(0 if server.shut_down else 1)
