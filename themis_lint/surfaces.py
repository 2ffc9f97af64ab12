"""The surface registry: which analyzer modules exist, imported only when a file needs them."""
from __future__ import annotations

import importlib
from types import ModuleType

from themis_lint import prefilter, toolfiles
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
    literals (`triggers`); otherwise the trigger literals of the pack entries it finds decide,
    all of them in one scan of the bytes (themis_lint.prefilter: hyperscan when installed). A document
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
    claimed = [m for m in modules if (always := getattr(m, "always", None)) is not None and always(path, ctx)]
    rest = [m for m in modules if m not in claimed]
    if not rest:
        return claimed
    # only the English words "within"/"fulltext" keep a surface when one of them is called
    verdicts = iter(prefilter.keep(data, [literals_of(m, path, ctx) for m in rest], ctx.call_triggers()[0]))
    wanted = {id(m) for m in claimed} | {id(m) for m in rest if next(verdicts)}
    return [m for m in modules if id(m) in wanted]


def literals_of(module: ModuleType, path: str, ctx: Context) -> tuple[bytes, ...]:
    """The literals one of which keeps a surface: its own (`triggers`), else those of the pack
    entries whose verbs it finds (`PRIMITIVES`): a Python file that only says `sys.maxsize`
    holds the config key leaf `maxsize`, which no Python finder reads."""
    own = getattr(module, "triggers", None)
    if own is not None:
        return own(path, ctx)
    return ctx.trigger_bytes(getattr(module, "PRIMITIVES", None))
