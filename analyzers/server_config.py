"""Server config surface: TH101-TH104 in config files and in YAML block scalars that embed one.

docs/surfaces.md "The surfaces": a config file is one whose name matches `config-files` and that holds at
least one key the pack knows; `themisdb.conf: |` in a ConfigMap or Helm values embeds one.
"""
from __future__ import annotations

import bisect
import re

from themis_lint.analyzers import key_hints
from themis_lint.parse.config_tree import ConfigDoc, Entry, parse_json, parse_yaml
from themis_lint.edits import config_keys as edits
from themis_lint import globs
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety
from themis_lint.parse.source import Source
from themis_lint.text import newline_of

NAME = "server_config"
CODES = ("TH101", "TH102", "TH103", "TH104")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = ("rename-config-key", "require-config-key", "remove-config-key", "known-config-keys")
_BLOCK_KEY = re.compile(r"^([ \t]*)(?:- +)?([\"']?)([^\s\"':#]+)\2[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*"
                        r"(?:#[^\r\n]*)?\r?$", re.MULTILINE)


def is_config_name(path: str, ctx: Context) -> bool:
    return ctx.matches(path, ctx.config_files)


def wants(path: str, ctx: Context) -> bool:
    return is_config_name(path, ctx) or path.endswith((".yaml", ".yml"))


def always(path: str, ctx: Context) -> bool:
    return is_config_name(path, ctx)


def triggers(path: str, ctx: Context) -> tuple[bytes, ...]:
    """Other YAML files matter only when they name a config file (an embedded config) or hold a
    key this surface finds (asked for every YAML file: kept per config-file list)."""
    key = (tuple(ctx.config_files), ctx.trigger_bytes(PRIMITIVES))
    if key not in _TRIGGERS:
        literals = {re.split(r"[*?\[]", g.lstrip("*"))[0].lower() for g in key[0]}
        _TRIGGERS[key] = tuple(lit.encode() for lit in literals if len(lit) >= 4) + key[1]
    return _TRIGGERS[key]


_TRIGGERS: dict[tuple, tuple[bytes, ...]] = {}


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """The file, and every config embedded in it, must parse (a fix must not leave, say, two
    `rocksdb:` keys in a ConfigMap's `themisdb.conf: |`). With `original` (the text before the
    fixes), a duplicate key the original had already is not the fixes' doing (issue 12)."""
    problem = _parse_problem(text, path)
    if problem is None or original is None or "duplicate key" not in problem:
        return problem
    from themis_lint.analyzers import mapping_keys

    kind = "json" if path.endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{") else "yaml"
    try:
        before = mapping_keys.duplicate_keys(original, kind)
    except (ValueError, AnalysisError):
        return problem  # the original did not even parse with duplicates allowed
    if not before:
        return problem
    try:
        return mapping_keys.introduced(mapping_keys.duplicate_keys(text, kind), before)
    except (ValueError, AnalysisError) as exc:
        return getattr(exc, "reason", None) or problem


def _parse_problem(text: str, path: str) -> str | None:
    try:
        _parse(text, path)
    except AnalysisError as exc:
        if not _several_documents(text):  # (a Kubernetes manifest may host an embedded config)
            return exc.reason
    if path.endswith((".yaml", ".yml")) and "themis" in text.lower():
        for name, inner, _ in _embedded_blocks(text, None):
            try:
                _parse(inner, name)
            except AnalysisError as exc:
                return f"embedded {name}: {exc.reason}"
    return None


def _several_documents(text: str) -> bool:
    from themis_lint.parse import yaml_nodes

    try:  # the parse `_parse` just made, kept by yaml_nodes: not parsed again
        return len(yaml_nodes.compose(text)) > 1
    except AnalysisError:
        return False


def _parse(text: str, path: str, source: Source | None = None) -> ConfigDoc | None:
    """The config document; `source` shares its JSON or YAML parse with the other surfaces."""
    if path.endswith(".json") or text.lstrip("\ufeff \t\r\n").startswith("{"):
        return parse_json(text, source.json if source is not None else None)  # a function: parsed on use
    return parse_yaml(text, source.yaml() if source is not None else None)


def analyze(source: Source, ctx: Context) -> list[Finding]:
    text, path = source.text, source.path
    if is_config_name(path, ctx):
        overlay = ctx.matches(path, ctx.overlay_files)
        try:
            doc = _parse(text, path, source)
        except AnalysisError:
            if not mentions_known_keys(text, ctx):
                return []  # docs/surfaces.md: a broken file with no ThemisDB content is no TH900
            raise
        return config_findings(doc, ctx, required=not overlay)
    if not path.endswith((".yaml", ".yml")):
        return []
    return embedded_findings(text, path, ctx)


def mentions_known_keys(text: str, ctx: Context) -> bool:
    """Could a file that does not parse be a ThemisDB config? It names a known key, flat
    (`storage.journalSize`) or as a leaf after a known section (`storage:` ... `journalSize:`)."""
    keys = known_keys(ctx)
    if len(keys) <= FEW_KEYS and any(key in text for key in keys):
        return True
    if len(keys) > FEW_KEYS and not _aligned_runs(text, min(max(map(len, keys)), LONGEST_KEY)).isdisjoint(keys):
        return True  # one pass over the text, not one search per key (a project may list 100,000)
    sections = {k.split(".")[0] for k in keys}
    leaves = {k.rsplit(".", 1)[-1] for k in keys if "." in k}
    names = _names_before_colons(text, max(map(len, sections | leaves), default=0))

    def mentioned(candidates: set[str]) -> bool:
        return not names.isdisjoint(candidates) or any(  # names a run cannot hold: one search each
            re.search(rf"[\"']?\b{re.escape(n)}\b[\"']?[ \t]*:", text) for n in candidates if not _RUN.fullmatch(n))

    return mentioned(sections) and mentioned(leaves)


# a run of name characters right before `:` (an optional quote and blanks between); possessive,
# and only from the run's start, so a long run is scanned once (issue 18 item 7)
_RUN = re.compile(r"[\w.-]+")
_BEFORE_COLON = re.compile(r"(?<![\w.-])[\w.-]++(?=[\"']?[ \t]*:)")


FEW_KEYS = 512
LONGEST_KEY = 256


def _aligned_runs(text: str, longest: int) -> set[str]:
    """The pieces of each run of name characters that start and end at a word boundary, up to
    `longest` characters: a known key found in them is in the text as a whole name."""
    found = set()
    for match in _RUN.finditer(text):
        run = match.group()
        starts = [i for i in range(len(run)) if _word(run[i]) and (i == 0 or not _word(run[i - 1]))]
        ends = [i + 1 for i in range(len(run)) if _word(run[i]) and (i + 1 == len(run) or not _word(run[i + 1]))]
        for i in starts:  # the ends within `longest` of the start: a window, never all of them
            lo, hi = bisect.bisect_right(ends, i), bisect.bisect_right(ends, i + longest)
            found.update(run[i:j] for j in ends[lo:hi])
    return found


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _names_before_colons(text: str, longest: int) -> set[str]:
    r"""Every name `\bNAME\b["']?[ \t]*:` matches in `text`, up to `longest` characters: the
    word-boundary tails of each run before a colon. One pass over the text, where a regex per
    known key took keys x text (100,000 `known-keys` over a broken config file)."""
    names = set()
    for match in _BEFORE_COLON.finditer(text):
        run = match.group()
        for i in range(max(0, len(run) - longest), len(run)):
            if _word(run[i]) and (i == 0 or not _word(run[i - 1])):
                names.add(run[i:])
    return names


def known_keys(ctx: Context) -> set[str]:
    """Every key the pack talks about, old or new, plus the project's `known-keys`."""
    keys = set(ctx.known_keys)
    for change in ctx.pack.changes:
        for field in ("old", "new", "key"):
            if change.primitive.endswith("config-key") and change.get(field):
                keys.add(change[field])
        keys.update(change.get("keys") or [] if change.primitive == "known-config-keys" else [])
    return keys


def config_findings(doc: ConfigDoc | None, ctx: Context, required: bool = True) -> list[Finding]:
    """TH101-TH104 for one config document; nothing when it is not a ThemisDB config."""
    if doc is None:
        return []
    known = known_keys(ctx)
    if not any(e.full_key in known for e in (*doc.entries, *doc.merged)):
        return []
    nl = newline_of(doc.text)
    found = find_renamed_keys(doc, ctx, nl) + find_removed_keys(doc, ctx)
    if required:
        found += find_missing_keys(doc, ctx, nl)
    if ctx.enabled("TH104"):
        found += find_unknown_keys(doc, ctx, known)
    return found


def _target(ctx: Context) -> str:
    return f"ThemisDB {ctx.pack.to_version}"


def find_renamed_keys(doc: ConfigDoc, ctx: Context, nl: str) -> list[Finding]:
    found = []
    for change in ctx.changes("rename-config-key"):
        old, new = change["old"], change["new"]
        for entry in [e for e in doc.entries if e.full_key == old]:
            message = change.verb.message("renamed", old=old, new=new, version=ctx.version_of(change))
            existing = doc.find(new)
            fix_edits = None
            if existing is None:
                fix_edits = edits.rename_edits(doc, entry, new, nl)
            elif _same_value(doc, entry, existing):
                message += change.verb.message("same-value", new=new)
                fix_edits = edits.delete_edits(doc, entry)
            else:
                message += change.verb.message("conflict", new=new)
            fix = Fix(fix_edits, Safety.SAFE, change.verb.message("fix", new=new)) if fix_edits else None
            found.append(Finding(change.code, message, entry.key_start, entry.key_end, fix,
                                 replacement_since=change.replacement_since))
        for entry in [e for e in doc.merged if e.full_key == old]:
            message = change.verb.message("renamed", old=old, new=new, version=ctx.version_of(change))
            found.append(Finding(change.code, message + MERGED_NOTE, entry.key_start, entry.key_end, None,
                                 replacement_since=change.replacement_since))
    return found


# a key a YAML merge key brings in: its text is the anchor's, which other maps may merge too
MERGED_NOTE = " (no fix: it comes in through the YAML merge key `<<`; change it where its anchor defines it)"


def _same_value(doc: ConfigDoc, a: Entry, b: Entry) -> bool:
    if a.is_map or b.is_map:
        return False
    # `1` and `'1'` differ (an int, a string); JSON values compare as parsed
    return (a.value_tag, str(a.value)) == (b.value_tag, str(b.value))


def find_removed_keys(doc: ConfigDoc, ctx: Context) -> list[Finding]:
    found = []
    for change in ctx.changes("remove-config-key"):
        for entry in [e for e in doc.entries if e.full_key == change["key"]]:
            advice = change.get("advice") or "delete it"
            fix = Fix(edits.delete_edits(doc, entry), Safety.UNSAFE, change.verb.message("fix", key=change["key"]))
            message = change.verb.message("removed", key=change["key"], version=ctx.version_of(change, "removed"),
                                          advice=advice)
            found.append(Finding(change.code, message,
                                 entry.key_start, entry.key_end, fix,
                                 replacement_since=change.replacement_since))
        for entry in [e for e in doc.merged if e.full_key == change["key"]]:
            message = change.verb.message("removed", key=change["key"], version=ctx.version_of(change, "removed"),
                                          advice=change.get("advice") or "delete it")
            found.append(Finding(change.code, message + MERGED_NOTE, entry.key_start, entry.key_end, None,
                                 replacement_since=change.replacement_since))
    return found


def find_missing_keys(doc: ConfigDoc, ctx: Context, nl: str) -> list[Finding]:
    present = {e.full_key for e in doc.entries} | {e.full_key for e in doc.merged}
    # a key that a rename will produce is not missing (rules/docs/TH101-config-key-renamed.md runs first)
    present |= {c["new"] for c in ctx.pack.of("rename-config-key") if c["old"] in present}
    found = []
    for change in ctx.changes("require-config-key"):
        key = change["key"]
        if key in present:
            continue
        value = edits.render_value(change["default"], doc.kind)
        fix_edits, holder = edits.insert_edits(doc, key, value, nl)
        at = holder.key_start if holder is not None else 0
        fix = Fix(fix_edits, Safety.SAFE, change.verb.message("fix", key=key, value=value)) if fix_edits else None
        message = change.verb.message("required", key=key, value=value, version=ctx.version_of(change))
        found.append(Finding(change.code, message,
                             at, at, fix, replacement_since=change.replacement_since))
    return found


def find_unknown_keys(doc: ConfigDoc, ctx: Context, known: set[str]) -> list[Finding]:
    reported = {c.get("old") or c.get("key") for c in ctx.pack.changes
                if c.primitive in ("rename-config-key", "remove-config-key")}
    found = []
    hints = key_hints.hints_for(known)
    for entry in doc.leaves():
        if entry.full_key in known or entry.full_key in reported:
            continue
        hint = hints.hint(entry.full_key)  # difflib's closest match, from an index (key_hints)
        message = f"`{entry.full_key}` is not a key {_target(ctx)} knows"
        message += f"; did you mean `{hint}`?" if hint else ""
        found.append(Finding("TH104", message, entry.key_start, entry.key_end))
    return found


# ---- embedded configs -----------------------------------------------------

def embedded_findings(text: str, path: str, ctx: Context) -> list[Finding]:
    """Config files embedded as YAML block scalars (`themisdb.conf: |`), offsets mapped back."""
    found = []
    for name, inner, mapping in _embedded_blocks(text, ctx):
        try:
            doc = _parse(inner, name)
        except AnalysisError as exc:
            raise AnalysisError(f"embedded {name}: {exc.reason}", mapping.host(exc.offset)) from exc
        found += [mapping.finding(f) for f in config_findings(doc, ctx, required=not _partial(doc, name, ctx))]
    return found


def _embedded_blocks(text: str, ctx: Context | None):
    """(config file name, dedented text, offset map) of each block scalar keyed by a config-file
    name (every `*.conf`/`*.yaml`/`*.json`-like name when there is no context)."""
    for match in _BLOCK_KEY.finditer(text):
        name = match.group(3)
        if ctx is not None and not globs.matches(name, ctx.config_files):
            continue
        if ctx is None and "themis" not in name.lower():
            continue
        block = _block_lines(text, match.end(), len(match.group(1)))
        if block is not None:
            yield name, block[0], block[1]


def _partial(doc: ConfigDoc | None, name: str = "", ctx: Context | None = None) -> bool:
    """rules/docs/TH102-config-key-required.md: no required keys for an embedded fragment that is clearly partial: one named
    as an overlay (`overlay-files`, or `override`/`overlay`/`extra`/`patch`/`local` in its name), or
    setting fewer than three keys, or keys of a single top-level section only."""
    if doc is None:
        return True
    if ctx is not None and globs.matches(name, ctx.overlay_files):
        return True
    if any(hint in name.lower() for hint in _PARTIAL_HINTS):
        return True
    keys = [e.full_key for e in doc.entries if not e.is_map]
    return len(keys) < 3 or len({k.split(".")[0] for k in keys}) < 2


_PARTIAL_HINTS = ("override", "overlay", "extra", "patch", "local")


class _BlockMap:
    """Maps offsets of a dedented block scalar back into the host file."""

    def __init__(self, host_starts: list[int], inner_starts: list[int], indent: int, end: int, inner_end: int):
        self.host_starts, self.inner_starts, self.indent, self.end = host_starts, inner_starts, indent, end
        self.inner_end = inner_end

    def _line(self, offset: int) -> int:
        return max(bisect.bisect_right(self.inner_starts, offset) - 1, 0)

    def host(self, offset: int, line_start_at_col0: bool = False) -> int:
        """Host offset; for edits, column 0 maps before the block's indentation."""
        i = self._line(offset)
        if offset >= self.inner_end:
            return self.end
        col = offset - self.inner_starts[i]
        if col == 0 and line_start_at_col0:
            return self.host_starts[i]
        return self.host_starts[i] + self.indent + col

    def edit(self, e: Edit) -> Edit:
        """Re-indent what an edit writes: every line it starts gets the block's indentation."""
        pad = " " * self.indent
        content = e.content.replace("\n", "\n" + pad)
        if content.endswith("\n" + pad):
            content = content[: -len(pad)]
        at_col0 = e.start >= self.inner_end or e.start == self.inner_starts[self._line(e.start)]
        if at_col0 and e.content:
            content = pad + content
        return Edit(self.host(e.start, True), self.host(e.end, True), content)

    def finding(self, f: Finding) -> Finding:
        if f.fix is not None:
            f.fix = Fix(tuple(self.edit(e) for e in f.fix.edits), f.fix.safety, f.fix.message)
        f.start, f.end = self.host(f.start), self.host(f.end)
        return f


def _block_lines(text: str, after: int, key_indent: int) -> tuple[str, _BlockMap] | None:
    """The block scalar's dedented text starting on the line after `after`."""
    pos = text.find("\n", after)
    if pos == -1:
        return None
    pos += 1
    lines = []
    indent = None
    while pos < len(text):
        nxt = text.find("\n", pos)
        end = len(text) if nxt == -1 else nxt + 1
        line = text[pos:end]
        body = line.rstrip("\r\n")
        if body.strip():
            col = len(body) - len(body.lstrip(" "))
            if col <= key_indent or (indent is not None and col < indent):
                break
            indent = col if indent is None else indent
        lines.append((pos, line))
        pos = end
    while lines and not lines[-1][1].strip():
        lines.pop()
    if not lines or indent is None:
        return None
    inner, host_starts, inner_starts, n = [], [], [], 0
    for start, line in lines:
        piece = line[indent:] if line[:indent].strip() == "" and len(line.rstrip("\r\n")) >= indent else line.lstrip(" ")
        host_starts.append(start)
        inner_starts.append(n)
        inner.append(piece)
        n += len(piece)
    end = lines[-1][0] + len(lines[-1][1])
    return "".join(inner), _BlockMap(host_starts, inner_starts, indent, end, n)
