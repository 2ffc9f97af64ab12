"""Command-line surface: `--section.key value` flags given to ThemisDB (TH101, TH103).

RULES.md "Surfaces": a program named in the pack's `server-commands`, or a container whose
image's last path part is a `server-images` name; in shell scripts, Dockerfiles,
docker-compose / Kubernetes `command`/`args`, systemd `ExecStart=` and Makefile recipes.
"""
from __future__ import annotations

import re

from themis_lint import json_spans
from themis_lint.context import Context
from themis_lint.model import AnalysisError, Edit, Finding, Fix, Safety
from themis_lint.shell_words import Word, raw_offset, split_commands

NAME = "command_line"
CODES = ("TH101", "TH103")
SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh")
WRAPPERS = {"exec", "sudo", "nohup", "env", "time", "nice", "ionice", "command", "gosu", "su-exec",
            "tini", "dumb-init", "--", "numactl", "chpst", "s6-setuidgid", "setpriv"}
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


def parse_error(text: str, path: str) -> str | None:
    if path.endswith((".yaml", ".yml")):
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            for _ in YAML(typ="rt", pure=True).compose_all(text):
                pass
        except YAMLError as exc:
            return " ".join(str(getattr(exc, "problem", exc)).split())
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


def server_args(words: list[Word], ctx: Context) -> list[Word] | None:
    """The words a command passes to ThemisDB, or None when it does not run ThemisDB."""
    i = 0
    while i < len(words) and (words[i].value in WRAPPERS or _ASSIGNMENT.match(words[i].value)):
        i += 1
    if i >= len(words):
        return None
    program = _basename(words[i].value)
    if program in ctx.pack.server_commands:
        return words[i + 1:]
    if program in ("docker", "podman", "nerdctl"):
        return _container_args(words[i + 1:], ctx)
    return None


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
            found.append(_rename(source, word, key, renames[key], ctx))
        elif key in removals:
            found.append(_removal(source, command, args, i, bool(eq), removals[key], ctx))
    return found


def _key_span(source: str, word: Word, key: str) -> tuple[int, int, bool]:
    start = raw_offset(source, word, 2)
    end = raw_offset(source, word, 2 + len(key) - 1)
    if start is None or end is None or source[start:end + 1] != key:
        return word.start, word.end, False
    return start, end + 1, True


def _rename(source: str, word: Word, key: str, change, ctx: Context) -> Finding:
    start, end, exact = _key_span(source, word, key)
    fix = Fix((Edit(start, end, change["new"]),), Safety.SAFE, f"Rename to `--{change['new']}`") if exact else None
    return Finding(change.code, f"`--{key}` is renamed to `--{change['new']}` in ThemisDB {ctx.pack.to_version}",
                   start, end, fix, replacement_since=change.replacement_since)


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
    return Finding(change.code, f"`--{change['key']}` is removed in ThemisDB {ctx.pack.to_version}; {advice}",
                   start, end, fix, replacement_since=change.replacement_since)


def shell_findings(source: str, ctx: Context, commands: list[list[Word]]) -> list[Finding]:
    found = []
    for command in commands:
        args = server_args(command, ctx)
        if args:
            found += flag_findings(source, command, args, ctx)
    return found


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
            args = server_args(commands[0], ctx)
            if args is None and (server_entry or server_from):
                args = commands[0]  # RULES.md: CMD flags count when the entrypoint or image is ThemisDB
            found += flag_findings(text, commands[0], args or [], ctx)
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
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    from themis_lint import yaml_docs

    try:
        docs = yaml_docs.load_all(text)  # shared with the server-config surface
    except (YAMLError, AnalysisError):
        return []  # not ours to report: the data-file and config surfaces own YAML parse errors
    from themis_lint.text import LineIndex

    index, found, seen = LineIndex(text), [], set()
    stack = [d for d in docs if isinstance(d, (CommentedMap, CommentedSeq))]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        children = node.values() if isinstance(node, CommentedMap) else node
        stack += [c for c in children if isinstance(c, (CommentedMap, CommentedSeq))]
        if isinstance(node, CommentedMap) and ("command" in node or "args" in node):
            found += _container_findings(text, index, node, ctx)
    return found


def _container_findings(text: str, index, node, ctx: Context) -> list[Finding]:
    words: list[Word] = []
    for key in ("entrypoint", "command", "args"):
        if key in node:
            words += _yaml_words(text, index, node, key)
    image = node.get("image")
    args = server_args(words, ctx)
    if args is None and isinstance(image, str) and is_server_image(image, ctx):
        args = words
    return flag_findings(text, words, args, ctx) if args else []


def _yaml_words(text: str, index, node, key: str) -> list[Word]:
    from ruamel.yaml.comments import CommentedSeq

    value = node[key]
    if isinstance(value, str):
        line, col = node.lc.value(key)
        start = index.offset(line + 1, col + 1)
        span = _scalar_span(text, start, value)
        return split_commands(text, *span)[0] if span and split_commands(text, *span) else []
    if isinstance(value, CommentedSeq):
        words = []
        for i, item in enumerate(value):
            line, col = value.lc.item(i)
            start = index.offset(line + 1, col + 1)
            raw_end = _raw_scalar_end(text, start, str(item))
            raw = text[start:raw_end]
            exact = raw == str(item) or (raw[:1] in "\"'" and raw[1:-1] == str(item))
            words.append(Word(str(item), start, raw_end, raw[:1] in "\"'", exact))
        return words
    return []


def _raw_scalar_end(text: str, start: int, value: str) -> int:
    if text[start:start + 1] in "\"'":
        close = text.find(text[start], start + 1)
        return close + 1 if close != -1 else start + len(value)
    return start + len(value)


def _scalar_span(text: str, start: int, value: str) -> tuple[int, int] | None:
    """The span to shell-split for a single-line string scalar (inside its quotes)."""
    if text[start:start + 1] in "\"'":
        end = _raw_scalar_end(text, start, value)
        return (start + 1, end - 1) if text[start + 1:end - 1] == value else None
    return (start, start + len(value)) if text[start:start + len(value)] == value else None


__all__ = ["AnalysisError"]
