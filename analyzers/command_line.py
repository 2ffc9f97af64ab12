"""Command-line surface: `--section.key value` flags given to ThemisDB (TH101, TH103).

RULES.md "Surfaces": a program named in the pack's `server-commands`, or a container whose
image's last path part is a `server-images` name; in shell scripts, Dockerfiles,
docker-compose / Kubernetes `command`/`args`, systemd `ExecStart=` and Makefile recipes.

Wrappers (`sudo -u x`, `gosu x`, `timeout 10`, ...) are skipped with their own arguments; `sh -c SCRIPT`
is followed two levels deep. YAML string scalars (block, multi-line plain or quoted) are shell-split
from their SOURCE text, so spans map 1:1; where the source does not split into the value's words
(escapes, quotes across folded lines) the flags are reported without a fix.
"""
from __future__ import annotations

import re
from dataclasses import replace

from themis_lint.parse import json_spans
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety
from themis_lint.parse.shell_words import Word, exact_region, raw_offset, split_commands

NAME = "command_line"
CODES = ("TH101", "TH103")
SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh")
# Wrappers that run the command after them: (options taking a separate value word, operands before
# the command). `--opt=value` and attached short values (`-n5`) need no table entry; other options
# are taken as flags. `VAR=value` words and a bare `--` are skipped too.
WRAPPERS: dict[str, tuple[frozenset[str], int]] = {name: (frozenset(opts), operands)
                                                    for name, opts, operands in (
    ("exec", ("-a",), 0),
    ("command", (), 0),
    ("nohup", (), 0),
    ("time", ("-f", "--format", "-o", "--output"), 0),
    ("env", ("-u", "--unset", "-C", "--chdir"), 0),
    ("sudo", ("-u", "--user", "-g", "--group", "-p", "--prompt", "-C", "--close-from", "-D", "--chdir",
              "-r", "--role", "-t", "--type", "-U", "--other-user", "-T", "--command-timeout", "-R",
              "--chroot", "-h", "--host"), 0),
    ("doas", ("-u", "-C"), 0),
    ("gosu", (), 1),  # gosu USER COMMAND
    ("su-exec", (), 1),  # su-exec USER COMMAND
    ("s6-setuidgid", (), 1),
    ("chpst", ("-u", "-U", "-b", "-e", "-/", "-C", "-n", "-l", "-L", "-m", "-d", "-o", "-p", "-f", "-c"), 0),
    ("setpriv", ("--reuid", "--regid", "--ruid", "--euid", "--rgid", "--egid", "--groups", "--inh-caps",
                 "--ambient-caps", "--bounding-set", "--securebits", "--pdeathsig", "--selinux-label",
                 "--apparmor-profile", "--landlock-access", "--landlock-rule", "--seccomp-filter"), 0),
    ("runuser", ("-u", "--user", "-g", "--group", "-G", "--supp-group", "-w", "--whitelist-environment",
                 "-s", "--shell"), 0),
    ("nice", ("-n", "--adjustment"), 0),
    ("ionice", ("-c", "--class", "-n", "--classdata", "-p", "--pid", "-P", "--pgid", "-u", "--uid"), 0),
    ("timeout", ("-s", "--signal", "-k", "--kill-after"), 1),  # timeout DURATION COMMAND
    ("numactl", ("-i", "--interleave", "-m", "--membind", "-N", "--cpunodebind", "-C", "--physcpubind",
                 "-p", "--preferred", "-w", "--weighted-interleave"), 0),
    ("taskset", (), 1),  # taskset MASK COMMAND, taskset -c LIST COMMAND
    ("stdbuf", ("-i", "-o", "-e", "--input", "--output", "--error"), 0),
    ("cgexec", ("-g",), 0),
    ("tini", ("-p", "-e"), 0),
    ("dumb-init", ("-r", "--rewrite"), 0),
    ("catatonit", (), 0),
)}
SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh"}
SHELL_VALUE_OPTS = {"--rcfile", "--init-file"}
MAX_NESTING = 2  # `sh -c '...'` inside `sh -c '...'`: deeper scripts are not followed
NO_FIX_NOTE = " (no fix: quoting or escapes do not map onto the file text)"
# docker/podman run options that take a separate value word
DOCKER_VALUE_OPTS = {"-a", "-c", "-e", "-h", "-l", "-m", "-p", "-u", "-v", "-w", "--add-host", "--cap-add",
                     "--cap-drop", "--cpus", "--cpu-shares", "--device", "--dns", "--entrypoint", "--env",
                     "--env-file", "--expose", "--gpus", "--health-cmd", "--hostname", "--ipc", "--label",
                     "--label-file", "--link", "--log-driver", "--log-opt", "--memory", "--mount", "--name",
                     "--net", "--network", "--pid", "--platform", "--publish", "--pull", "--restart",
                     "--runtime", "--security-opt", "--shm-size", "--stop-signal", "--tmpfs", "--ulimit",
                     "--user", "--volume", "--volumes-from", "--workdir"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_DOCKER_INSTR = re.compile(r"^[ \t]*([A-Za-z]+)[ \t]+", re.MULTILINE)
_EXEC_LINE = re.compile(r"^[ \t]*Exec(?:Start|StartPre|StartPost|Reload)[ \t]*=[ \t]*[-@:+!]*", re.MULTILINE)


def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def is_dockerfile(path: str) -> bool:
    name = _name(path)
    return name == "Dockerfile" or name.startswith("Dockerfile.") or name.endswith((".dockerfile", ".Dockerfile"))


def is_makefile(path: str) -> bool:
    name = _name(path)
    return name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk")


def wants(path: str, ctx: Context) -> bool:
    return (path.endswith(SHELL_SUFFIXES + (".service", ".yaml", ".yml")) or is_dockerfile(path)
            or is_makefile(path))


def parse_error(text: str, path: str, original: str | None = None) -> str | None:
    """YAML hosts must compose (duplicate keys are the data-files surface's check); `original` is
    the contract's text before the fixes, unused here."""
    if path.endswith((".yaml", ".yml")):
        from themis_lint.parse import yaml_nodes

        return yaml_nodes.problem(text)
    return None


def analyze(text: str, path: str, ctx: Context) -> list[Finding]:
    if path.endswith((".yaml", ".yml")):
        return yaml_findings(text, ctx)
    if is_dockerfile(path):
        return dockerfile_findings(text, ctx)
    if path.endswith(".service"):
        return systemd_findings(text, ctx)
    if is_makefile(path):
        return makefile_findings(text, ctx)
    return shell_findings(text, ctx, split_commands(text))


# ---- which words are server arguments --------------------------------------

def _basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def is_server_image(image: str, ctx: Context) -> bool:
    """`themisdb:latest`, `themisdb/themisdb:1.3.5`, `registry.example/ops/themisdb:qnap`."""
    last = image.split("@", 1)[0].rsplit("/", 1)[-1].split(":", 1)[0]
    return last in ctx.pack.server_images


def _short_takes_value(option: str, value_opts: frozenset[str]) -> bool:
    """`-Eu NAME`: a short-option cluster whose last letter takes the next word; `-n5` has it attached."""
    for j, letter in enumerate(option[1:]):
        if "-" + letter in value_opts:
            return j == len(option) - 2
    return False


def _skip_wrapper(words: list[Word], i: int, value_opts: frozenset[str], operands: int) -> int:
    """Index of the wrapped command past a wrapper's own options and operands (words[i] follows it)."""
    while i < len(words) and words[i].value.startswith("-"):
        option = words[i].value
        i += 1
        if option == "--":
            break
        if option.startswith("--"):
            i += option in value_opts  # `--opt=value` carries its value
        elif _short_takes_value(option, value_opts):
            i += 1
    while i < len(words) and _ASSIGNMENT.match(words[i].value):  # `sudo VAR=1 cmd`, `env A=1 cmd`
        i += 1
    return i + operands


def command_start(words: list[Word]) -> int:
    """Index of the program a command runs, past `VAR=value` words and wrappers (`sudo -u x`, `gosu x`)."""
    i = 0
    while i < len(words):
        value = words[i].value
        if _ASSIGNMENT.match(value) or value == "--":
            i += 1
            continue
        spec = WRAPPERS.get(_basename(value))
        if spec is None:
            break
        i = _skip_wrapper(words, i + 1, *spec)
    return i


def server_args(words: list[Word], ctx: Context) -> list[Word] | None:
    """The words a command passes to ThemisDB, or None when it does not run ThemisDB."""
    i = command_start(words)
    if i >= len(words):
        return None
    program = _basename(words[i].value)
    if program in ctx.pack.server_commands:
        return words[i + 1:]
    if program in ("docker", "podman", "nerdctl"):
        return _container_args(words[i + 1:], ctx)
    return None


def shell_script(words: list[Word]) -> Word | None:
    """The script word of `[wrappers] sh -c SCRIPT` (`bash -lc`, `sh -e -c`, `/bin/sh -c --`)."""
    i = command_start(words)
    if i >= len(words) or _basename(words[i].value) not in SHELLS:
        return None
    i, has_c = i + 1, False
    while i < len(words) and words[i].value[:1] in ("-", "+") and words[i].value not in ("-", "--", "+"):
        option = words[i].value
        i += 1
        if option.startswith("--"):
            i += option in SHELL_VALUE_OPTS
            continue
        has_c = has_c or (option[0] == "-" and "c" in option)
        if option.endswith(("o", "O")):  # `-o pipefail`
            i += 1
    if i < len(words) and words[i].value == "--":
        i += 1
    return words[i] if has_c and i < len(words) else None


def _container_args(words: list[Word], ctx: Context) -> list[Word] | None:
    i = 0
    if i < len(words) and words[i].value == "container":
        i += 1
    if i >= len(words) or words[i].value not in ("run", "create"):
        return None
    i += 1
    while i < len(words) and words[i].value.startswith("-"):
        i += 2 if words[i].value in DOCKER_VALUE_OPTS else 1
    if i < len(words) and is_server_image(words[i].value, ctx):
        rest = words[i + 1:]
        if rest and _basename(rest[0].value) in ctx.pack.server_commands:
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
    fix = Fix((Edit(start, end, change["new"]),), Safety.SAFE, f"Rename to `--{change['new']}`") if exact else None
    message = f"`--{key}` is renamed to `--{change['new']}` in ThemisDB {ctx.version_of(change)}"
    if change["new"] in flags:  # issue 12: the command line would set the option twice
        fix = None
        message += f" (no fix: `--{change['new']}` is already set on this command line; keep one by hand)"
    return Finding(change.code, message, start, end, fix, replacement_since=change.replacement_since)


def _removal(source: str, command: list[Word], args: list[Word], i: int, has_eq: bool, change,
             ctx: Context) -> Finding:
    word = args[i]
    start, end, _ = _key_span(source, word, change["key"])
    last = word
    if not has_eq and i + 1 < len(args) and not args[i + 1].value.startswith("-"):
        last = args[i + 1]
    # RULES.md TH103: flag and value go, a line continuation before them stays intact
    pos = command.index(word)
    after = command.index(last) + 1
    cut_from = command[pos - 1].end if pos > 0 else word.start
    cut_to = last.end if pos > 0 else (command[after].start if after < len(command) else last.end)
    fix = Fix((Edit(cut_from, cut_to, ""),), Safety.UNSAFE, f"Remove `--{change['key']}`")
    advice = change.get("advice") or "delete it"
    return Finding(change.code, f"`--{change['key']}` is removed in ThemisDB {ctx.version_of(change, 'removed')}; {advice}",
                   start, end, fix, replacement_since=change.replacement_since)


def shell_findings(source: str, ctx: Context, commands: list[list[Word]], depth: int = 0,
                   scripts: dict[int, list[list[Word]] | None] | None = None) -> list[Finding]:
    found = []
    for command in commands:
        found += command_findings(source, command, ctx, depth=depth, scripts=scripts)
    return found


def command_findings(source: str, command: list[Word], ctx: Context, image_args: bool = False, depth: int = 0,
                     scripts: dict[int, list[list[Word]] | None] | None = None) -> list[Finding]:
    """Flags of one command; `image_args`: the command's words go to ThemisDB (a ThemisDB container)."""
    args = server_args(command, ctx)
    found = []
    if args is None and depth < MAX_NESTING:
        found += nested_findings(source, command, ctx, depth, scripts)
    if args is None and image_args:
        args = command
    if args:
        found += flag_findings(source, command, args, ctx)
    return found


def script_base(source: str, word: Word) -> int | None:
    """Offset where a word's value stands as-is in the source (inside its quotes), else None."""
    if not word.exact or not word.value:
        return None
    value, start = word.value, word.start
    if source[start:start + 1] in ("'", '"') and word.end == start + len(value) + 2 \
            and source[start + 1:start + 1 + len(value)] == value:
        return start + 1
    if word.end == start + len(value) and source[start:word.end] == value:
        return start
    return exact_region(source, word)


def nested_findings(source: str, command: list[Word], ctx: Context, depth: int,
                    scripts: dict[int, list[list[Word]] | None] | None = None) -> list[Finding]:
    """`sh -c '<script>'`: the script's flags, fixed in place when the script stands as-is in the source."""
    script = shell_script(command)
    if script is None:
        return []
    if scripts is not None and script.start in scripts:
        inner = scripts[script.start]
    else:
        base = script_base(source, script)
        inner = None if base is None else split_commands(source, base, base + len(script.value))
    if inner is not None:
        return shell_findings(source, ctx, inner, depth + 1)
    return report_only(shell_findings(script.value, ctx, split_commands(script.value), depth + 1),
                       script.start, script.end)


def report_only(findings: list[Finding], start: int, end: int) -> list[Finding]:
    """Findings made on a decoded value, reported on its source span without a fix."""
    for finding in findings:
        if finding.fix is not None:
            finding.message += NO_FIX_NOTE
        finding.start, finding.end, finding.fix = start, end, None
    return findings


# ---- Dockerfile, systemd, Makefile -----------------------------------------

def _instructions(text: str) -> list[tuple[str, int, int]]:
    """(INSTRUCTION, body start, body end) with `\\` continuations joined."""
    found = []
    body_end = -1
    for match in _DOCKER_INSTR.finditer(text):
        if match.start() < body_end:
            continue  # a continuation line of the previous instruction, not an instruction
        if text[match.start():match.end()].lstrip().startswith("#"):
            continue
        end = match.end()
        while True:
            nl = text.find("\n", end)
            if nl == -1:
                end = len(text)
                break
            line = text[end:nl].rstrip("\r")
            if not line.endswith("\\"):
                end = nl
                break
            end = nl + 1
        found.append((match.group(1).upper(), match.end(), end))
        body_end = end
    return found


def exec_form(text: str, start: int, end: int) -> list[Word] | None:
    """The words of a JSON-array (exec form) instruction, or None for shell form."""
    if not text[start:end].lstrip().startswith("["):
        return None
    try:
        node = json_spans.parse(text, start, end)
    except json_spans.JSONSpanError:
        return None
    if node.kind != "array":
        return None
    return [Word(str(item.value), item.start, item.end, True,
                 text[item.start + 1:item.end - 1] == item.value) for item in node.items if item.kind == "string"]


def dockerfile_findings(text: str, ctx: Context) -> list[Finding]:
    found, server_from, server_entry = [], False, False
    for instr, start, end in _instructions(text):
        words = exec_form(text, start, end)
        commands = [words] if words is not None else split_commands(text, start, end)
        if instr == "FROM":
            image = next((w.value for w in (commands[0] if commands else []) if not w.value.startswith("-")), "")
            server_from = is_server_image(image, ctx)
        elif instr == "ENTRYPOINT" and commands:
            server_entry = server_args(commands[0], ctx) is not None or server_from
            found += shell_findings(text, ctx, commands)
        elif instr == "CMD" and commands:
            # RULES.md: CMD flags count when the entrypoint or image is ThemisDB
            found += command_findings(text, commands[0], ctx, image_args=server_entry or server_from)
            found += shell_findings(text, ctx, commands[1:])
        elif instr == "RUN":
            found += shell_findings(text, ctx, commands)
    return found


def systemd_findings(text: str, ctx: Context) -> list[Finding]:
    found = []
    for match in _EXEC_LINE.finditer(text):
        end = match.end()
        while True:
            nl = text.find("\n", end)
            if nl == -1 or not text[end:nl].rstrip("\r").endswith("\\"):
                end = len(text) if nl == -1 else nl
                break
            end = nl + 1
        found += shell_findings(text, ctx, split_commands(text, match.end(), end))
    return found


def makefile_findings(text: str, ctx: Context) -> list[Finding]:
    found, pos = [], 0
    for line in text.splitlines(keepends=True):
        if line.startswith("\t"):
            found += shell_findings(text, ctx, split_commands(text, pos + 1, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    return found


# ---- docker-compose and Kubernetes -------------------------------------------

def yaml_findings(text: str, ctx: Context) -> list[Finding]:
    from themis_lint.parse import yaml_nodes

    try:
        docs = yaml_nodes.compose(text)  # shared with the server-config and data-file surfaces
    except AnalysisError:
        return []  # not ours to report: the data-file and config surfaces own YAML parse errors
    from themis_lint.text import LineIndex

    index, found = LineIndex(text), []
    for node in yaml_nodes.walk(docs):
        if yaml_nodes.is_mapping(node):
            keys = {k.value: (k, v) for k, v in node.value if yaml_nodes.is_scalar(k)}
            if "command" in keys or "args" in keys:
                found += _container_findings(text, index, keys, ctx)
    return found


def _is_string(node) -> bool:
    return node.id == "scalar" and node.tag.endswith(":str")


def _container_findings(text: str, index, keys: dict, ctx: Context) -> list[Finding]:
    """`keys`: a container mapping's scalar keys -> (key node, value node)."""
    words: list[Word] = []
    scripts: dict[int, list[list[Word]] | None] = {}
    unmapped: list[tuple[int, int]] = []
    items: dict[int, tuple[bool, int]] = {}  # list item word start -> (flow style, id of its list)
    for key in ("entrypoint", "command", "args"):
        if key in keys:
            words += _yaml_words(text, index, *keys[key], scripts, unmapped, items)
    if not words:
        return []
    image = keys.get("image", (None, None))[1]
    image_args = image is not None and _is_string(image) and is_server_image(image.value, ctx)
    found = command_findings(text, words, ctx, image_args=image_args, scripts=scripts)
    for finding in found:
        _removal_by_items(text, words, items, finding)
    for finding in found:  # words of a scalar whose source does not map onto its value: report only
        edits = finding.fix.edits if finding.fix else ()
        spans = [(finding.start, finding.end)] + [(e.start, e.end) for e in edits]
        if any((s < u_end and u_start < e) if s != e else u_start <= s <= u_end
               for s, e in spans for u_start, u_end in unmapped):
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
    line = _line_start(text, word.start)
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


def _yaml_words(text: str, index, key, value, scripts: dict, unmapped: list,
                items: dict | None = None) -> list[Word]:
    """The words of a `command`/`args` value (a string or a list of strings), with source spans."""
    if _is_string(value):
        start = value.start_mark.index
        region = scalar_region(text, start, value.value, index.position(key.start_mark.index)[1] - 1)
        commands = scalar_commands(text, region, value.value) if region else None
        if commands is None:
            # compose splits a string `command` like a shell: its words, all spanning the scalar
            end = region[1] if region else _line_end(text, start)
            unmapped.append((start, end))
            return [Word(w.value, start, end, True, False) for c in split_commands(value.value) for w in c]
        return [w for c in commands for w in c]  # compose: newlines and operators are plain blanks
    if value.id != "sequence":
        return []
    words = []
    for node in value.value:
        if not _is_string(node):
            continue
        start, item = node.start_mark.index, node.value
        raw_end = _raw_scalar_end(text, start, item)
        if text[start:start + 1] in "|>" or "\n" in text[start:raw_end]:
            # a block or multi-line scalar: one argument, followed as a script when `sh -c` runs it
            region = scalar_region(text, start, item, _item_indent(text, start))
            if region is None:
                words.append(Word(item, start, _line_end(text, start), True, False))
                continue
            words.append(Word(item, region[0], region[1], True, False))
            scripts[region[0]] = scalar_commands(text, region, item, script=True)
            continue
        raw = text[start:raw_end]
        exact = raw == item or (raw[:1] in "\"'" and raw[1:-1] == item)
        words.append(Word(item, start, raw_end, raw[:1] in "\"'", exact))
        if items is not None:
            items[start] = (bool(value.flow_style), id(value))
    return words


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl == -1 else nl - (nl > pos and text[nl - 1] == "\r")


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _indent_of(text: str, line_start: int) -> int:
    i = line_start
    while i < len(text) and text[i] == " ":
        i += 1
    return i - line_start


def _item_indent(text: str, start: int) -> int:
    """Column of the `-` of a block sequence item (the indentation its scalar must exceed)."""
    line = _line_start(text, start)
    before = text[line:start].rstrip(" \t")
    if before.endswith("-"):
        return len(before) - 1
    return _indent_of(text, line)


def _raw_scalar_end(text: str, start: int, value: str) -> int:
    if text[start:start + 1] in "\"'":
        close = text.find(text[start], start + 1)
        return close + 1 if close != -1 else start + len(value)
    return start + len(value)


def _quoted_end(text: str, start: int) -> int | None:
    """Offset of the closing quote of a YAML quoted scalar starting at `start`."""
    quote, i = text[start], start + 1
    while i < len(text):
        ch = text[i]
        if quote == '"' and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if quote == "'" and text.startswith("''", i):
                i += 2
                continue
            return i
        i += 1
    return None


def scalar_region(text: str, start: int, value: str, parent_indent: int) -> tuple[int, int, bool] | None:
    """(start, end, folded) of a string scalar's content in the source, from the offset the YAML
    parser gives for it. `folded`: line breaks in the source are blanks in the value (folded block,
    multi-line plain or quoted scalar); a literal block keeps them. None when the scalar cannot be
    mapped onto its source text (escapes, `''`, an explicit indentation indicator)."""
    first = text[start:start + 1]
    if first in ("|", ">"):
        header_end = _line_end(text, start)
        header = text[start:header_end].split("#", 1)[0].strip()
        if any(ch.isdigit() for ch in header):
            return None
        pos = header_end + (2 if text.startswith("\r\n", header_end) else 1)
        indent, content_start, content_end = None, None, None
        while pos < len(text):
            end = _line_end(text, pos)
            line = text[pos:end]
            if line.strip():
                width = _indent_of(text, pos)
                if indent is None:
                    indent = width
                    if indent <= parent_indent:
                        break
                    content_start = pos + width
                elif width < indent:
                    break
                content_end = end
            nxt = text.find("\n", end)
            if nxt == -1:
                break
            pos = nxt + 1
        if content_start is None:
            return None
        return content_start, content_end, first == ">"
    if first in ("'", '"'):
        close = _quoted_end(text, start)
        if close is None:
            return None
        inner = text[start + 1:close]
        if (first == '"' and "\\" in inner) or (first == "'" and "''" in inner):
            return None
        return start + 1, close, "\n" in inner
    if text[start:start + len(value)] == value:  # a plain scalar on one line (also in flow context)
        return start, start + len(value), False
    # plain: this line up to a comment, then more-indented continuation lines
    end, comment = _plain_line_end(text, start)
    pos = -1 if comment else text.find("\n", start)
    while pos != -1:
        line = pos + 1
        line_end = _line_end(text, line)
        body = text[line:line_end].strip()
        if body:
            if _indent_of(text, line) <= parent_indent or body.startswith("#"):
                break
            end, comment = _plain_line_end(text, line + _indent_of(text, line))
            if comment:
                break
        pos = text.find("\n", line_end)
    return start, end, "\n" in text[start:end]


def _plain_line_end(text: str, pos: int) -> tuple[int, bool]:
    """End of a plain scalar's text on one line (trailing blanks and a ` # comment` excluded)."""
    end = _line_end(text, pos)
    comment = re.search(r"[ \t]#", text[pos:end])
    if comment:
        end = pos + comment.start()
    while end > pos and text[end - 1] in " \t":
        end -= 1
    return end, comment is not None


def scalar_commands(text: str, region: tuple[int, int, bool], value: str,
                    script: bool = False) -> list[list[Word]] | None:
    """Shell commands of a scalar's SOURCE text (spans map 1:1 onto the file), or None when they
    do not split into the same words as the scalar's value. `script`: the value runs as `sh -c`
    (line breaks separate commands) rather than a compose string (all words are arguments)."""
    start, end, folded = region
    if folded:  # a folded line break is a blank; same length, so offsets only shift by `start`
        commands = [[replace(w, start=w.start + start, end=w.end + start) for w in c]
                    for c in split_commands(text[start:end].replace("\n", " "))]
    else:
        commands = split_commands(text, start, end)
    # a word across a folded line break does not map 1:1 (folding drops the next line's indentation)
    commands = [[replace(w, exact=False) if "\n" in text[w.start:w.end] else w for w in c] for c in commands]
    got = [[w.value for w in c] for c in commands]
    want = [[w.value for w in c] for c in split_commands(value)]
    if not script:
        got, want = [v for c in got for v in c], [v for c in want for v in c]
    return commands if got == want else None


__all__ = ["AnalysisError"]
