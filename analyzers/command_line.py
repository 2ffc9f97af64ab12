"""Command-line surface: `--section.key value` flags given to ThemisDB (TH101, TH103).

docs/surfaces.md "The surfaces": a program named in the pack's `server-commands`, or a container whose
image's last path part is a `server-images` name. Where commands live (scripts, Dockerfiles,
systemd units, Makefile recipes, compose/Kubernetes `command`/`args`, wrappers, `sh -c`) is
themis_lint/parse/commands.py, shared with the HTTP rules; this module decides which words go to
ThemisDB and finds the renamed and removed flags among them. Where a word's source does not map
onto its value (escapes, quotes across folded lines) the flags are reported without a fix.
"""
from __future__ import annotations

from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety
from themis_lint.parse import commands as C
from themis_lint.parse.shell_words import Word, raw_offset, split_commands
from themis_lint.parse.source import Source

NAME = "command_line"
CODES = ("TH101", "TH103")
# the pack verbs this surface finds (themis_lint/primitives; tests/test_primitives.py checks the claim)
PRIMITIVES = ("rename-config-key", "remove-config-key")
NO_FIX_NOTE = " (no fix: quoting or escapes do not map onto the file text)"


def wants(path: str, ctx: Context) -> bool:
    return C.holds_commands(path) or path.endswith((".yaml", ".yml"))


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """YAML hosts must compose (duplicate keys are the data-files surface's check); `original` is
    the contract's text before the fixes, unused here."""
    if path.endswith((".yaml", ".yml")):
        from themis_lint.parse import yaml_nodes

        return yaml_nodes.problem(text)
    return None


def analyze(source: Source, ctx: Context) -> list[Finding]:
    text, path = source.text, source.path
    if path.endswith((".yaml", ".yml")):
        return yaml_findings(source, ctx)
    if C.is_dockerfile(path):
        return dockerfile_findings(source, ctx)
    return [f for site in source.sites() for f in shell_findings(text, ctx, site.commands)]


# ---- which words are server arguments --------------------------------------

def is_server_image(image: str, ctx: Context) -> bool:
    """`themisdb:latest`, `themisdb/themisdb:1.3.5`, `registry.example/ops/themisdb:qnap`."""
    last = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return last in ctx.pack.server_images


def server_args(words: list[Word], ctx: Context, server_vars: frozenset[str] = frozenset()) -> list[Word] | None:
    """The words a command passes to ThemisDB, or None when it does not run ThemisDB.
    `server_vars`: names the script set to a server program (`DAEMON=/usr/sbin/themisdb-server`),
    so `$DAEMON ARGS` runs it."""
    i = C.command_start(words)
    for k in range(min(i + 1, len(words))):  # `$DAEMON -c $CONF --flag`: the program is in a variable
        if C.variable_name(words[k].value) in server_vars:
            return words[k + 1:]
    if i >= len(words):
        return None
    if C.basename(words[i].value) in ctx.pack.server_commands:
        return words[i + 1:]
    if C.basename(words[i].value) == "start-stop-daemon":  # `--exec /usr/bin/themisdb-server -- ARGS`
        program = next((words[j + 1].value for j in range(i, len(words) - 1)
                        if words[j].value in ("--exec", "-x", "--startas", "-a")), None)
        dashes = next((j for j in range(i, len(words)) if words[j].value == "--"), None)
        if program is not None and (C.basename(program) in ctx.pack.server_commands
                                    or C.variable_name(program) in server_vars):
            return words[dashes + 1:] if dashes is not None else []
        return None
    image = C.container_run(words)
    if image is not None and is_server_image(words[image].value, ctx):
        rest = words[image + 1:]
        if rest and C.basename(rest[0].value) in ctx.pack.server_commands:
            rest = rest[1:]
        return rest
    return None


# ---- flags ---------------------------------------------------------------

def flag_findings(source: str, command: list[Word], args: list[Word], ctx: Context) -> list[Finding]:
    """TH101 renames and TH103 removals among a command's server arguments."""
    found = []
    renames = {c["old"]: c for c in ctx.changes("rename-config-key")}
    removals = {c["key"]: c for c in ctx.changes("remove-config-key")}
    for i, word in enumerate(args):
        if not word.value.startswith("--"):
            continue
        key, eq, _ = word.value[2:].partition("=")
        if key in renames:
            found.append(_rename(source, word, key, renames[key], ctx, _flags(args)))
        elif key in removals:
            found.append(_removal(source, command, args, i, bool(eq), removals[key], ctx))
    return found


def _key_span(source: str, word: Word, key: str) -> tuple[int, int, bool]:
    start = raw_offset(source, word, 2)
    end = raw_offset(source, word, 2 + len(key) - 1)
    if start is None or end is None or source[start:end + 1] != key:
        return word.start, word.end, False
    return start, end + 1, True


def _flags(args: list[Word]) -> set[str]:
    """The option names a command line sets (`--a.b 1`, `--a.b=1`)."""
    return {w.value[2:].partition("=")[0] for w in args if w.value.startswith("--")}


def _rename(source: str, word: Word, key: str, change, ctx: Context, flags: set[str]) -> Finding:
    start, end, exact = _key_span(source, word, key)
    verb, new = change.verb, change["new"]
    fix = Fix((Edit(start, end, new),), Safety.SAFE, verb.message("fix-flag", new=new)) if exact else None
    message = verb.message("renamed-flag", old=key, new=new, version=ctx.version_of(change))
    if new in flags:  # issue 12: the command line would set the option twice
        fix = None
        message += verb.message("flag-set-twice", new=new)
    return Finding(change.code, message, start, end, fix, replacement_since=change.replacement_since)


def _removal(source: str, command: list[Word], args: list[Word], i: int, has_eq: bool, change,
             ctx: Context) -> Finding:
    word = args[i]
    start, end, _ = _key_span(source, word, change["key"])
    last = word
    if not has_eq and i + 1 < len(args) and not args[i + 1].value.startswith("-"):
        last = args[i + 1]
    # rules/docs/TH103-config-key-removed.md: flag and value go, a line continuation before them stays intact
    pos = command.index(word)
    after = command.index(last) + 1
    cut_from = command[pos - 1].end if pos > 0 else word.start
    cut_to = last.end if pos > 0 else (command[after].start if after < len(command) else last.end)
    fix = Fix((Edit(cut_from, cut_to, ""),), Safety.UNSAFE, change.verb.message("fix-flag", key=change["key"]))
    advice = change.get("advice") or "delete it"
    message = change.verb.message("removed-flag", key=change["key"], version=ctx.version_of(change, "removed"),
                                  advice=advice)
    return Finding(change.code, message, start, end, fix, replacement_since=change.replacement_since)


def shell_findings(source: str, ctx: Context, commands: list[list[Word]], depth: int = 0,
                   scripts: dict | None = None) -> list[Finding]:
    found = []
    server_vars = _server_variables(commands, ctx)
    for command in commands:
        found += command_findings(source, command, ctx, depth=depth, scripts=scripts, server_vars=server_vars)
    return found


def _server_variables(commands: list[list[Word]], ctx: Context) -> frozenset[str]:
    """Names the script sets to a server program (`DAEMON=/usr/sbin/themisdb-server`, also after
    `export`/`readonly`/`local`/`declare`): init scripts run `$DAEMON ARGS`."""
    names = set()
    for command in commands:
        for word in command:
            name, eq, value = word.value.partition("=")
            if eq and name.isidentifier() and value and C.basename(value) in ctx.pack.server_commands:
                names.add(name)
    return frozenset(names)


def command_findings(source: str, command: list[Word], ctx: Context, image_args: bool = False, depth: int = 0,
                     scripts: dict | None = None, server_vars: frozenset[str] = frozenset()) -> list[Finding]:
    """Flags of one command; `image_args`: the command's words go to ThemisDB (a ThemisDB container)."""
    args = server_args(command, ctx, server_vars)
    found = []
    if args is None and depth < C.MAX_NESTING:
        found += nested_findings(source, command, ctx, depth, scripts)
    if args is None and image_args:
        args = command
    if args:
        found += flag_findings(source, command, args, ctx)
    return found


def nested_findings(source: str, command: list[Word], ctx: Context, depth: int,
                    scripts: dict | None = None) -> list[Finding]:
    """`sh -c '<script>'`: the script's flags, fixed in place when the script stands as-is in the source."""
    found = []
    for script in C.shell_scripts(command):
        inner = C.script_commands(source, script, scripts)
        if inner is not None:
            found += shell_findings(source, ctx, inner, depth + 1)
        else:
            found += report_only(shell_findings(script.value, ctx, split_commands(script.value), depth + 1),
                                 script.start, script.end)
    return found


def report_only(findings: list[Finding], start: int, end: int) -> list[Finding]:
    """Findings made on a decoded value, reported on its source span without a fix."""
    for finding in findings:
        if finding.fix is not None:
            finding.message += NO_FIX_NOTE
        finding.start, finding.end, finding.fix = start, end, None
    return findings


# ---- Dockerfile --------------------------------------------------------------

def dockerfile_findings(source: Source, ctx: Context) -> list[Finding]:
    text, found, server_from, server_entry = source.text, [], False, False
    for site in source.sites():
        commands, instruction = site.commands, site.instruction
        if instruction == "FROM":
            image = next((w.value for w in (commands[0] if commands else []) if not w.value.startswith("-")), "")
            server_from = is_server_image(image, ctx)
        elif instruction == "ENTRYPOINT" and commands:
            server_entry = server_args(commands[0], ctx) is not None or server_from
            found += shell_findings(text, ctx, commands)
        elif instruction == "CMD" and commands:
            # docs/surfaces.md: CMD flags count when the entrypoint or image is ThemisDB
            found += command_findings(text, commands[0], ctx, image_args=server_entry or server_from)
            found += shell_findings(text, ctx, commands[1:])
        elif instruction in ("RUN", "HEALTHCHECK"):
            found += shell_findings(text, ctx, commands)
    return found


# ---- docker-compose and Kubernetes -------------------------------------------

def yaml_findings(source: Source, ctx: Context) -> list[Finding]:
    text = source.text
    try:
        docs = source.yaml()  # shared with the server-config and data-file surfaces
    except AnalysisError:
        if "{{" not in text:
            raise  # TH900: a broken manifest never passes silently (analyze reports one per offset)
        # a Helm template: its actions blanked out (same offsets, so edits apply to the real text)
        # usually leave the YAML around them; what still does not compose is TH900
        from themis_lint.parse import yaml_nodes

        text = yaml_nodes.without_template_actions(text)
        docs = yaml_nodes.compose(text)
    return [f for container in C.containers(text, docs, source.index)
            for f in _container_findings(text, container, ctx)]



def _container_findings(text: str, container: C.Container, ctx: Context) -> list[Finding]:
    words = container.words
    image_args = container.image is not None and is_server_image(container.image, ctx)
    found = command_findings(text, words, ctx, image_args=image_args, scripts=container.scripts)
    for finding in found:
        _removal_by_items(text, words, container.items, finding)
    for finding in found:  # words of a scalar whose source does not map onto its value: report only
        edits = finding.fix.edits if finding.fix else ()
        spans = [(finding.start, finding.end)] + [(e.start, e.end) for e in edits]
        if any((s < u_end and u_start < e) if s != e else u_start <= s <= u_end
               for s, e in spans for u_start, u_end in container.unmapped):
            finding.message += "" if NO_FIX_NOTE in finding.message else NO_FIX_NOTE
            finding.fix = None
    return found


def _removal_by_items(text: str, words: list[Word], items: dict, finding: Finding) -> None:
    """A removal among YAML list items deletes whole items (`- --flag` lines, `--flag, ` in a flow
    list), never the text between two keys (`command:` ... `args:` share one word list)."""
    if finding.fix is None or len(finding.fix.edits) != 1 or finding.fix.edits[0].content:
        return
    cut = finding.fix.edits[0]
    removed = [w for w in words if cut.start <= w.start and w.end <= cut.end]
    if removed and len(removed) == len(words):  # `command: --flag` (a string or `>-` scalar)
        finding.fix = None  # would become `command:` with nothing: the image's default, or an empty string
        finding.message += "; removing it would leave the command empty: edit it by hand"
        return
    if not removed or any(w.start not in items for w in removed):
        return
    lists = {items[w.start][1] for w in removed}
    members = [w for w in words if w.start in items and items[w.start][1] in lists]
    if len(lists) != 1 or len(members) == len(removed):  # emptying a list: leave it to a person
        finding.fix = None
        finding.message += "; removing it would leave the list empty: edit it by hand"
        return
    if items[removed[0].start][0]:  # flow list: the removed items are neighbours, one span
        spans = [_flow_items_span(text, removed[0], removed[-1])]
    else:
        spans = [_block_item_span(text, word) for word in removed]
    if any(span is None for span in spans):
        finding.fix = None
        return
    edits = tuple(Edit(a, b, "") for a, b in spans)
    finding.fix = Fix(edits, finding.fix.safety, finding.fix.message)


def _block_item_span(text: str, word: Word) -> tuple[int, int] | None:
    """The whole `- item` line (with its line break), when the item stands alone on it."""
    line = C.line_start(text, word.start)
    if text[line:word.start].strip() != "-":
        return None
    end = text.find("\n", word.end)
    rest = text[word.end:len(text) if end == -1 else end].strip()
    if rest and not rest.startswith("#"):
        return None
    return line, len(text) if end == -1 else end + 1


def _flow_items_span(text: str, first: Word, last: Word) -> tuple[int, int] | None:
    """`, a, b` (or `a, b, ` at the start) of neighbouring items in a flow list."""
    i = first.start - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    if i >= 0 and text[i] == ",":
        return i, last.end
    j = last.end
    while j < len(text) and text[j] in " \t":
        j += 1
    if j < len(text) and text[j] == ",":
        j += 1
        while j < len(text) and text[j] in " \t":
            j += 1
        return first.start, j
    return None


__all__ = ["AnalysisError"]
