"""The surface registry: which analyzer modules exist, imported only when a file needs them."""
from __future__ import annotations

import importlib
from types import ModuleType

from themis_lint import toolfiles
from themis_lint.context import Context

# order = report order of equal positions; each module follows docs/CONTRACTS.md
SURFACE_MODULES = (
    "server_config",
    "command_line",
    "aql",
    "python_code",
    "js_code",
    "shell_code",
    "data_files",
)
_loaded: dict[str, ModuleType | None] = {}


def load(name: str) -> ModuleType | None:
    """The surface module, or None while it is not part of this build."""
    if name not in _loaded:
        try:
            _loaded[name] = importlib.import_module(f"themis_lint.analyzers.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"themis_lint.analyzers.{name}":
                raise
            _loaded[name] = None
    return _loaded[name]


_all: list[ModuleType] | None = None


def all_modules() -> list[ModuleType]:
    global _all
    if _all is None:
        _all = [m for m in (load(name) for name in SURFACE_MODULES) if m is not None]
    return _all


def wanting(path: str, ctx: Context) -> list[ModuleType]:
    """Surfaces that want a file, by its name."""
    return [module for module in all_modules() if module.wants(path, ctx)]


def prefiltered(path: str, data: bytes, ctx: Context, modules: list[ModuleType]) -> list[ModuleType]:
    """The surfaces that still want the file after the trigger-literal prefilter.

    A surface may claim a file by name (`always`: a server config) or declare its own
    literals (`triggers`); otherwise the pack's trigger literals decide. One lower() and an
    `in` per literal is the fast path in pure Python (issue 8's measurements). A document
    themis-lint wrote (a baseline, a SARIF log) is wanted by none: its text is ours, not the
    client's (themis_lint.toolfiles).
    """
    if toolfiles.kind(data) is not None:
        return []
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 (and -32) text: look at its characters
        try:
            data = data.decode("utf-32" if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
                               else "utf-16").encode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            pass
    if ctx.enabled("TH901") and b"themis-lint:" in data:
        return list(modules)  # a directive is judged against the file's findings, even none
    lowered: bytes | None = None
    kept = []
    for module in modules:
        always = getattr(module, "always", None)
        if always is not None and always(path, ctx):
            kept.append(module)
            continue
        own = getattr(module, "triggers", None)
        literals = own(path, ctx) if own is not None else ctx.trigger_bytes()
        lowered = data.lower() if lowered is None else lowered
        names, call = ctx.call_triggers()
        keep = only_call_names = False
        for literal in literals:
            if literal in lowered:
                if literal not in names:
                    keep = True
                    break
                only_call_names = True
        if keep or (only_call_names and call.search(lowered) is not None):
            kept.append(module)  # (only the English words "within"/"fulltext": not kept)
    return kept
