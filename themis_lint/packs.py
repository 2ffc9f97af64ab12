"""Rule packs: the catalogue of codes and the version-pair data files, validated on load."""
from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from themis_lint import __version__
from themis_lint.userdirs import UntrustedFolder, cache_folder, open_private_folder, read_private, write_private

PRIMITIVES = {
    "rename-config-key": ("old", "new"),
    "require-config-key": ("key", "default"),
    "remove-config-key": ("key",),
    "known-config-keys": ("keys",),
    "deprecate-endpoint": ("path", "new"),
    "remove-endpoint": ("path", "new"),
    "replace-index-type": ("old", "new"),
    "rename-index-helper": ("old", "new", "language", "signature"),
    "report-index-helper": ("name", "language"),
    "index-type-argument": ("call", "language", "library"),
    "rewrite-aql-function": ("function", "transform"),
}
VERSION_FIELDS = ("deprecated-in", "removed-in", "replacement-since")
PACK_KEYS = {"pack", "from", "to", "changes", "manual-review", "server-commands", "server-images",
             "query-functions", "config-files"}
def rules_dir() -> Path:
    """Where the bundled catalogue, packs, docs and cases live (the `rules/` folder)."""
    return Path(str(resources.files("themis_lint.rules")))


VERSION_RE = re.compile(r"^\d+\.\d+(\.\d+)?$")


class PackError(Exception):
    """A pack or catalogue that cannot be used: `file:line: reason`."""


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: str
    fix: str
    category: str
    summary: str
    default: bool = True


@dataclass(frozen=True)
class Change:
    primitive: str
    code: str
    data: dict
    deprecated_in: str | None
    removed_in: str | None
    replacement_since: str | None
    pack: str
    origin: str  # file:line, for messages
    step: str | None = None  # the `to` version of the pack that declares it: when it happened

    def when(self, event: str = "") -> str | None:
        """The version a message names for this change (issue 12: with packs chained 1.3 -> 1.4 ->
        1.5 a 1.4 rename is "renamed in 1.4", not in the run's target): its own `deprecated-in` /
        `removed-in` for those events, else the version its pack upgrades to."""
        declared = {"deprecated": self.deprecated_in, "removed": self.removed_in}.get(event)
        return declared or self.step

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)


@dataclass
class Pack:
    """One version pair, or several chained: what the analyzers consult."""

    name: str
    from_version: str
    to_version: str
    changes: list[Change] = field(default_factory=list)
    manual_review: list[dict] = field(default_factory=list)
    server_commands: list[str] = field(default_factory=list)
    server_images: list[str] = field(default_factory=list)
    query_functions: list[str] = field(default_factory=list)
    config_files: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)

    def of(self, primitive: str) -> list[Change]:
        return [c for c in self.changes if c.primitive == primitive]

    def rule_defaults(self, code: str) -> dict:
        merged: dict = {}
        for change in self.changes:
            if change.code == code:
                merged.update(change.get("options") or {})
        return merged


def minor(version: str) -> tuple[int, int]:
    """`1.4.5` -> (1, 4): patch levels never change the rules."""
    if not VERSION_RE.match(str(version).strip()):
        raise PackError(f"not a version: {version!r} (expected MAJOR.MINOR or MAJOR.MINOR.PATCH)")
    major, minor_, *_ = str(version).strip().split(".")
    return int(major), int(minor_)


def short(version: str) -> str:
    return "%d.%d" % minor(version)


def _yaml_load(path: Path, raw: bytes | None = None) -> Any:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from themis_lint.text import MAX_FLOW_DEPTH, flow_depth

    try:
        text = (_read_pack(path) if raw is None else raw).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackError(f"{path}:1: cannot read: {exc}") from exc
    if flow_depth(text) > MAX_FLOW_DEPTH:  # ruamel's scanner is quadratic there, its composer recursive
        raise PackError(f"{path}:1: invalid YAML: nested deeper than {MAX_FLOW_DEPTH} levels")
    yaml = YAML(typ="rt", pure=True)  # round trip: line numbers for errors, no python tags
    try:
        return yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise PackError(f"{path}:{line}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    except RecursionError as exc:
        raise PackError(f"{path}:1: invalid YAML: nested too deeply") from exc


def _line(node: Any, key: Any = None) -> int:
    lc = getattr(node, "lc", None)
    if lc is None:
        return 1
    try:
        if key is not None:
            return (lc.key(key)[0] if isinstance(node, dict) else lc.item(key)[0]) + 1
    except (KeyError, IndexError, TypeError):
        pass
    return lc.line + 1


MAX_PACK_BYTES = 4 * 1024 * 1024  # a pack is a page of data; more is a mistake or an attack


def _parsed(path: Path) -> Any:
    """A YAML file's plain data, from a JSON copy in the user cache when its bytes were seen
    before (ruamel's pure-Python parse costs more than the rest of a one-file hook run).

    A copy decides the URLs and keys fixes write, so it is used only from the private cache
    folder (userdirs), named by the digest of the pack's bytes, and only when it says it was
    made from exactly those bytes; anything else is parsed again.
    """
    raw = _read_pack(path)
    digest = hashlib.sha256(__version__.encode() + b"\0" + raw).hexdigest()
    folder = _cache_fd()
    try:
        copy = _load_copy(folder, digest)
        if copy is not None:
            return copy
        data = _plain(_yaml_load(path, raw), f"{path}:1")
        if folder is not None:
            try:
                write_private(folder, f"pack-{digest}.json", json.dumps({"source": digest, "data": data}).encode())
            except (OSError, TypeError, ValueError):
                pass
        return data
    finally:
        if folder is not None:
            os.close(folder)


def _read_pack(path: Path) -> bytes:
    from themis_lint.writer import TooLarge, read_file

    try:
        return read_file(str(path), MAX_PACK_BYTES)
    except TooLarge as exc:
        raise PackError(f"{path}:1: too large for a pack ({exc})") from exc
    except OSError as exc:
        raise PackError(f"{path}:1: cannot read: {exc.strerror or exc}") from exc


def _cache_fd() -> int | None:
    try:
        return open_private_folder(cache_folder())
    except UntrustedFolder:
        return None


def _load_copy(folder: int | None, digest: str) -> Any:
    blob = None if folder is None else read_private(folder, f"pack-{digest}.json", 4 * MAX_PACK_BYTES)
    if blob is None:
        return None
    try:
        copy = json.loads(blob)
    except (ValueError, RecursionError):
        return None
    if not isinstance(copy, dict) or copy.get("source") != digest:
        return None
    return copy.get("data")


def _validated(build, path: Path, *args):
    """Build from the fast parse; on a validation error build again from the round-trip parse,
    whose nodes know their lines, so the message says `file:line`."""
    try:
        return build(path, _parsed(path), *args)
    except PackError:
        return build(path, _yaml_load(path), *args)


def load_catalogue(path: Path | None = None) -> dict[str, Rule]:
    return _validated(_build_catalogue, path or rules_dir() / "catalogue.yaml")


def _build_catalogue(path: Path, doc: Any) -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    entries = doc.get("rules") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise PackError(f"{path}:1: expected a `rules:` list")
    for i, entry in enumerate(entries):
        where = f"{path}:{_line(entries, i)}"
        try:
            rule = Rule(**{k: v for k, v in entry.items()})
        except TypeError as exc:
            raise PackError(f"{where}: bad rule entry: {exc}") from exc
        if not re.fullmatch(r"TH\d{3}", rule.code):
            raise PackError(f"{where}: bad code {rule.code!r}")
        if rule.severity not in ("error", "warning", "info") or rule.fix not in ("safe", "unsafe", "none"):
            raise PackError(f"{where}: bad severity or fix safety for {rule.code}")
        rules[rule.code] = rule
    return rules


def _check_version(value: Any, where: str, name: str) -> str | None:
    if value is None:
        return None
    try:
        return short(str(value))
    except PackError as exc:
        raise PackError(f"{where}: {name}: {exc}") from exc


def load_pack(path: Path, catalogue: dict[str, Rule]) -> Pack:
    """Read and validate one pack file; raise PackError with file:line."""
    return _validated(_build_pack, path, catalogue)


def _build_pack(path: Path, doc: Any, catalogue: dict[str, Rule]) -> Pack:
    if not isinstance(doc, dict):
        raise PackError(f"{path}:1: a pack is a mapping with `from`, `to` and `changes`")
    for key in doc:
        if key not in PACK_KEYS:
            hint = difflib.get_close_matches(str(key), PACK_KEYS, n=1)
            raise PackError(f"{path}:{_line(doc, key)}: unknown key {key!r}"
                            + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    for key in ("from", "to", "changes"):
        if key not in doc:
            raise PackError(f"{path}:1: missing `{key}`")
    frm = _check_version(doc["from"], f"{path}:{_line(doc, 'from')}", "from")
    to = _check_version(doc["to"], f"{path}:{_line(doc, 'to')}", "to")
    name = str(doc.get("pack") or path.stem)
    pack = Pack(name=name, from_version=frm, to_version=to, names=[name])
    for key in ("server-commands", "server-images", "query-functions", "config-files"):
        value = doc.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PackError(f"{path}:{_line(doc, key)}: `{key}` must be a list of strings")
        setattr(pack, key.replace("-", "_"), list(value))
    changes = doc["changes"]
    if not isinstance(changes, list):
        raise PackError(f"{path}:{_line(doc, 'changes')}: `changes` must be a list")
    for i, entry in enumerate(changes):
        pack.changes.append(_load_change(entry, f"{path}:{_line(changes, i)}", name, catalogue, to))
    review = doc.get("manual-review") or []
    for i, item in enumerate(review):
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise PackError(f"{path}:{_line(review, i)}: manual-review items need `category` and `text`")
        pack.manual_review.append(dict(item))
    return pack


def _load_change(entry: Any, where: str, pack: str, catalogue: dict[str, Rule], step: str | None = None) -> Change:
    if not isinstance(entry, dict):
        raise PackError(f"{where}: a change is a mapping with `primitive` and `code`")
    primitive, code = entry.get("primitive"), entry.get("code")
    if primitive not in PRIMITIVES:
        hint = difflib.get_close_matches(str(primitive), PRIMITIVES, n=1)
        raise PackError(f"{where}: unknown primitive {primitive!r}"
                        + (f" (did you mean {hint[0]!r}?)" if hint else ""))
    if code not in catalogue:
        raise PackError(f"{where}: unknown rule code {code!r}")
    for key in PRIMITIVES[primitive]:
        if key not in entry:
            raise PackError(f"{where}: {primitive} needs `{key}`")
    versions = [_check_version(entry.get(k), where, k) for k in VERSION_FIELDS]
    data = _plain(entry, where)
    for key in ("primitive", "code", *VERSION_FIELDS):
        data.pop(key, None)
    if primitive in CHECKS:
        CHECKS[primitive](data, where)
    check_values(primitive, data, where)
    return Change(primitive, code, data, *versions, pack=pack, origin=where, step=step)


@dataclass(frozen=True)
class Param:
    """One parameter of a driver helper's declared signature (`name`, `name=default`, `name?`)."""

    name: str
    default: str | None = None  # the default as written (`None`, `False`); None: required or `?`
    optional: bool = False


_PARAM_RE = re.compile(r"^([A-Za-z_$][A-Za-z0-9_$]*)(\?)?(?:=(.+))?$")
ARGUMENT_ACTIONS = ("block", "drop")


def parse_signature(text: str) -> list[Param]:
    """`"fields, unique=None, opts?"` -> its parameters; ValueError on anything else."""
    params = []
    for part in (p.strip() for p in str(text).split(",")):
        match = _PARAM_RE.match(part)
        if not match:
            raise ValueError(f"bad parameter {part!r} (expected name, name=default or name?)")
        name, question, default = match.groups()
        params.append(Param(name, default, bool(question) or default is not None))
    if len({p.name for p in params}) != len(params):
        raise ValueError("a parameter is declared twice")
    return params


def _check_helper_rename(data: dict, where: str) -> None:
    """A rename-index-helper entry must say what happens to every argument of the old helper."""
    signature = data.get("signature")
    if not isinstance(signature, dict) or set(signature) != {"old", "new"}:
        raise PackError(f"{where}: rename-index-helper `signature` needs `old` and `new`")
    try:
        old, new = parse_signature(signature["old"]), parse_signature(signature["new"])
    except ValueError as exc:
        raise PackError(f"{where}: signature: {exc}") from exc
    arguments = data.get("arguments") or {}
    if not isinstance(arguments, dict):
        raise PackError(f"{where}: `arguments` maps an old parameter to block, drop or {{rename: new}}")
    names = {p.name for p in new}
    for param in old:
        action = arguments.get(param.name)
        target = action.get("rename") if isinstance(action, dict) else None
        if action is None and param.name not in names:
            raise PackError(f"{where}: `{param.name}` is not a parameter of `{data['new']}`: "
                            "say in `arguments` whether it blocks the fix, is dropped or renamed")
        if action is not None and action not in ARGUMENT_ACTIONS and target not in names:
            raise PackError(f"{where}: arguments: `{param.name}`: expected block, drop or "
                            f"{{rename: <a parameter of {data['new']}>}}")
    call = data.get("index-call")
    if call is not None and (not isinstance(call, dict) or not isinstance(call.get("method"), str)):
        raise PackError(f"{where}: `index-call` needs a `method`")


def _check_type_argument(data: dict, where: str) -> None:
    """An index-type-argument entry says which argument carries the type."""
    if data.get("keyword") is None and data.get("position") is None and not data.get("dict-key"):
        raise PackError(f"{where}: index-type-argument needs `keyword`, `position` or `dict-key`")
    if data.get("position") is not None and not isinstance(data["position"], int):
        raise PackError(f"{where}: `position` is a 0-based argument index")
    blocked = data.get("blocked-by") or []
    if not isinstance(blocked, list) or not all(isinstance(b, str) for b in blocked):
        raise PackError(f"{where}: `blocked-by` is a list of argument names")


CHECKS = {"rename-index-helper": _check_helper_rename, "index-type-argument": _check_type_argument}


# ---- values that go into fixes (issue 18 item 26) -------------------------------------------------
# A pack value or rule option is written into client files by a fix: a quote, a newline or a
# `${` in it would inject code, YAML or AQL there. Each is checked at load time against what its
# place in a fix can hold; anything else is a one-line error naming the file and the key.

_CONFIG_KEY = (r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*", "a dotted config key (letters, digits, `_`, `-`)")
_ENDPOINT = (r"/[A-Za-z0-9._~%@:+/-]*", "an endpoint path (`/` then letters, digits and `._~%@:+/-`)")
_NAME = (r"[A-Za-z_$][A-Za-z0-9_$]*", "an identifier")
_WORD = (r"[A-Za-z][A-Za-z0-9_-]*", "a word (letters, digits, `_`, `-`)")
_ANALYZER = (r"[A-Za-z0-9_-]+(?:::[A-Za-z0-9_-]+)?", "an analyzer name (letters, digits, `_`, `-`; `db::name`)")
_ATTRIBUTE = (r"[^\x00-\x1f\x7f-\x9f\"'`\\]{1,200}", "an attribute name without quotes, backslashes or "
              "control characters")
_TEXT = (r"[^\x00-\x1f\x7f-\x9f]{0,200}", "one line of text")
_SCALAR = "scalar"
VALUE_SCHEMAS: dict[str, dict[str, tuple]] = {
    "rename-config-key": {"old": _CONFIG_KEY, "new": _CONFIG_KEY},
    "require-config-key": {"key": _CONFIG_KEY, "default": _SCALAR},
    "remove-config-key": {"key": _CONFIG_KEY},
    "known-config-keys": {"keys": [_CONFIG_KEY]},
    "deprecate-endpoint": {"path": _ENDPOINT, "new": _ENDPOINT},
    "remove-endpoint": {"path": _ENDPOINT, "new": _ENDPOINT},
    "replace-index-type": {"old": _WORD, "new": _WORD},
    "rename-index-helper": {"old": _NAME, "new": _NAME},
    "report-index-helper": {"name": _NAME},
    "index-type-argument": {"call": _NAME},
    "rewrite-aql-function": {"function": _NAME},
}
INDEX_CALL_SCHEMA = {"method": _NAME, "type": _WORD, "extra": (r"[A-Za-z0-9_]+=[A-Za-z0-9_.]+", "`name=value`")}
OPTION_SCHEMAS = {"analyzer": _ANALYZER, "latitude": _ATTRIBUTE, "longitude": _ATTRIBUTE}


def check_value(value: Any, schema, where: str, key: str) -> None:
    """PackError (`where: `key`: ...`) unless `value` fits `schema`; None is "not given"."""
    if value is None:
        return
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise PackError(f"{where}: `{key}` must be a list")
        for item in value:
            check_value(item, schema[0], where, key)
        return
    if schema == _SCALAR:
        if isinstance(value, (bool, int, float)):
            return
        schema = _TEXT
    pattern, what = schema
    if not isinstance(value, str) or not re.fullmatch(pattern, value):
        raise PackError(f"{where}: `{key}`: {_shown(value)} is not {what}")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_values(primitive: str, data: dict, where: str) -> None:
    """Every value of a change that a fix writes, and its rule options."""
    for key, schema in VALUE_SCHEMAS.get(primitive, {}).items():
        check_value(data.get(key), schema, where, key)
    call = data.get("index-call")
    if isinstance(call, dict):
        for key, schema in INDEX_CALL_SCHEMA.items():
            check_value(call.get(key), schema, where, f"index-call.{key}")
        keys = call.get("keys") or {}
        for old, new in (keys.items() if isinstance(keys, dict) else ()):
            check_value(new, _NAME, where, f"index-call.keys.{old}")
    options = data.get("options")
    if options is not None:
        if not isinstance(options, dict):
            raise PackError(f"{where}: `options` must be a mapping")
        check_options(options, where, "options.")


def check_options(options: dict, where: str, prefix: str = "") -> None:
    """Rule options (a pack's defaults or a project's [rules.CODE] table) against their schemas."""
    for key, value in options.items():
        schema = OPTION_SCHEMAS.get(key, _TEXT)
        if value is None:
            raise PackError(f"{where}: `{prefix}{key}`: a value is needed")
        check_value(value, schema, where, f"{prefix}{key}")


MAX_PACK_VALUES = 100_000  # the bundled packs hold a few hundred; aliases count every time they expand
MAX_PACK_DEPTH = 64


def _plain(node: Any, where: str | Path = "pack") -> Any:
    """ruamel's commented containers to plain dicts/lists/scalars, within a budget: YAML aliases
    expand here, and a few lines of them (an alias bomb) would otherwise take minutes and all memory."""
    budget = [MAX_PACK_VALUES]

    def plain(value: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise PackError(f"{where}: more than {MAX_PACK_VALUES} values once YAML aliases are expanded")
        if depth > MAX_PACK_DEPTH:
            raise PackError(f"{where}: nested deeper than {MAX_PACK_DEPTH} levels")
        if isinstance(value, dict):
            return {str(k): plain(v, depth + 1) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v, depth + 1) for v in value]
        return str(value) if isinstance(value, str) else value

    return plain(node, 0)


def bundled_pack_paths() -> list[Path]:
    return sorted(p for p in rules_dir().glob("*.yaml") if p.name != "catalogue.yaml")


def available_packs(catalogue: dict[str, Rule], extra: list[Path] = ()) -> list[Pack]:
    packs = [load_pack(p, catalogue) for p in [*bundled_pack_paths(), *extra]]
    return sorted(packs, key=lambda p: (minor(p.from_version), minor(p.to_version)))


def resolve_chain(packs: list[Pack], frm: str | None, to: str | None) -> list[Pack]:
    """Packs leading from `frm` to `to`; [] when the two are the same minor version."""
    if not packs:
        raise PackError("no rule packs available")
    newest = max(packs, key=lambda p: minor(p.to_version))
    target = short(to) if to else (newest.to_version if not frm or minor(frm) < minor(newest.to_version)
                                   else short(frm))
    if frm is None:
        ending = [p for p in packs if p.to_version == target]
        if not ending:
            raise PackError(f"no pack upgrades to {target} (available: {_pairs(packs)})")
        return [ending[-1]]
    start = short(frm)
    if minor(start) == minor(target):
        return []
    if minor(start) > minor(target):
        raise PackError(f"--from {start} is newer than --to {target}; themis-lint only upgrades")
    chain, current = [], start
    while minor(current) < minor(target):
        step = [p for p in packs if p.from_version == current and minor(p.to_version) <= minor(target)]
        if not step:
            raise PackError(f"no pack for the step from {current} towards {target} "
                            f"(available: {_pairs(packs)})")
        pack = max(step, key=lambda p: minor(p.to_version))
        chain.append(pack)
        current = pack.to_version
    return chain


def _pairs(packs: list[Pack]) -> str:
    return ", ".join(f"{p.from_version} → {p.to_version}" for p in packs)


def merge(chain: list[Pack], frm: str | None = None, to: str | None = None) -> Pack:
    """One Pack holding every step's changes in order (later steps see earlier fixes in a next pass)."""
    if not chain:
        return Pack(name="(none)", from_version=short(frm) if frm else "", to_version=short(to) if to else "")
    merged = Pack(name=" + ".join(p.name for p in chain), from_version=chain[0].from_version,
                  to_version=chain[-1].to_version)
    for pack in chain:
        merged.changes += pack.changes
        merged.manual_review += pack.manual_review
        merged.names.append(pack.name)
        for attr in ("server_commands", "server_images", "query_functions", "config_files"):
            values = getattr(merged, attr)
            values += [v for v in getattr(pack, attr) if v not in values]
    return merged
