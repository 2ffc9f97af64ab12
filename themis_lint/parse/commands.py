"""Where shell commands live in a client repository, with exact source spans: the one place that
knows it. The flag rules (analyzers/command_line.py) and the HTTP rules (analyzers/shell_code.py)
both read commands from here, so a command one of them sees the other sees too.

- shell scripts (`*.sh`, `*.bash`, `*.zsh`, `*.ksh`): every command;
- Dockerfiles: `RUN`, `CMD`, `ENTRYPOINT`, `HEALTHCHECK ... CMD` (shell and exec form) and `FROM`,
  `\\` continuations joined;
- systemd units: `ExecStart=`, `ExecStartPre=`, `ExecStartPost=`, `ExecReload=` with their
  `-@:+!` prefixes;
- Makefile recipes: tab-indented lines with make's `@`, `-`, `+` prefixes taken off;
- docker-compose and Kubernetes `entrypoint`/`command`/`args`: strings (compose splits them like
  a shell) and lists, block and folded scalars split from their source text;
- inside any of them: `VAR=value` words and wrappers (`sudo -u x`, `gosu x`, `timeout 10`, ...)
  before the program, and `sh -c SCRIPT` followed two levels deep (`script_commands`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from themis_lint.parse import json_spans
from themis_lint.parse.shell_words import Word, exact_region, split_commands

SHELL_SUFFIXES = (".sh", ".bash", ".zsh", ".ksh")
SHELLS = {"sh", "bash", "dash", "ash", "zsh", "ksh"}
SHELL_VALUE_OPTS = {"--rcfile", "--init-file"}
MAX_NESTING = 2  # `sh -c '...'` inside `sh -c '...'`: deeper scripts are not followed
DOCKER_INSTRUCTIONS = {"FROM", "RUN", "CMD", "ENTRYPOINT", "HEALTHCHECK"}
CONTAINER_KEYS = ("entrypoint", "command", "args")
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
    ("setuser", (), 1),  # phusion baseimage: setuser USER COMMAND
    ("chroot", ("--userspec", "--groups"), 1),  # chroot NEWROOT COMMAND
)}
_EXPANSION = re.compile(r"^\$(?:([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)\})$")


def variable_name(value: str) -> str | None:
    """NAME of a word that is only `$NAME` or `${NAME}`, else None."""
    match = _EXPANSION.match(value)
    return (match[1] or match[2]) if match else None
# docker/podman run options that take a separate value word
DOCKER_VALUE_OPTS = {"-a", "-c", "-e", "-h", "-l", "-m", "-p", "-u", "-v", "-w", "--add-host", "--cap-add",
                     "--cap-drop", "--cpus", "--cpu-shares", "--device", "--dns", "--entrypoint", "--env",
                     "--env-file", "--expose", "--gpus", "--health-cmd", "--hostname", "--ipc", "--label",
                     "--label-file", "--link", "--log-driver", "--log-opt", "--memory", "--mount", "--name",
                     "--net", "--network", "--pid", "--platform", "--publish", "--pull", "--restart",
                     "--runtime", "--security-opt", "--shm-size", "--stop-signal", "--tmpfs", "--ulimit",
                     "--user", "--volume", "--volumes-from", "--workdir"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_EXEC_LINE = re.compile(r"^[ \t]*Exec(?:Start|StartPre|StartPost|Condition|Reload|Stop|StopPost)[ \t]*=[ \t]*[-@:+!]*",
                        re.MULTILINE)
_HEALTHCHECK_CMD = re.compile(r"(?:[ \t]+--\S+)*[ \t]+CMD(?=[ \t\[])", re.IGNORECASE)
_MAKE_PREFIX = re.compile(r"[ \t]*[@+-][@+\- \t]*")


# ---- which files hold commands ------------------------------------------------

def _name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def is_dockerfile(path: str) -> bool:
    """Docker's and Podman's names (`Containerfile` is Podman/Buildah's default)."""
    name = _name(path)
    return (name in ("Dockerfile", "Containerfile") or name.startswith(("Dockerfile.", "Containerfile."))
            or name.endswith((".dockerfile", ".Dockerfile", ".containerfile", ".Containerfile")))


def is_makefile(path: str) -> bool:
    name = _name(path)
    return name in ("Makefile", "makefile", "GNUmakefile") or name.endswith(".mk")


def is_systemd_unit(path: str) -> bool:
    """A service unit, or a drop-in overriding one (`themisdb.service.d/override.conf`)."""
    if path.endswith(".service"):
        return True
    parts = path.split("/")
    return len(parts) > 1 and parts[-2].endswith(".service.d") and parts[-1].endswith(".conf")


def is_shell_script(path: str) -> bool:
    return path.endswith(SHELL_SUFFIXES)


def holds_commands(path: str) -> bool:
    """A file `sites` reads (YAML containers are found in any YAML file)."""
    return is_shell_script(path) or is_dockerfile(path) or is_makefile(path) or is_systemd_unit(path)


# ---- sites: the commands of a file --------------------------------------------

@dataclass(frozen=True)
class Site:
    """Commands at one place of a file: a Dockerfile instruction, a unit's Exec line, a recipe
    line, or a whole script. `instruction` is the Dockerfile instruction ("" elsewhere)."""

    commands: list[list[Word]]
    instruction: str = ""


def sites(text: str, path: str) -> list[Site]:
    if is_dockerfile(path):
        return dockerfile_sites(text)
    if is_systemd_unit(path):
        return systemd_sites(text)
    if is_makefile(path):
        return makefile_sites(text)
    if is_shell_script(path):
        return [Site(split_commands(text))]
    return []


def logical_lines(text: str, start: int = 0, docker: bool = False):
    """(start, end) of lines joined by trailing `\\` continuations, from `start`. With `docker`,
    comment and empty lines inside a continued instruction are passed over, as Docker removes
    them (`RUN a && \\` / `# note` / `b` is one instruction)."""
    pos = start
    while pos < len(text):
        end = pos
        while True:
            nl = text.find("\n", end)
            if nl == -1:
                end = len(text)
                break
            if not text[end:nl].rstrip("\r").endswith("\\"):
                end = nl
                break
            end = nl + 1
            while docker and end < len(text):
                after = text.find("\n", end)
                line = text[end:len(text) if after == -1 else after].strip()
                if after == -1 or (line and not line.startswith("#")):
                    break
                end = after + 1
        yield pos, end
        pos = end + 1


def dockerfile_sites(text: str) -> list[Site]:
    found = []
    for start, end in logical_lines(text, docker=True):
        line = text[start:end]
        stripped = line.lstrip(" \t")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        instruction = stripped.split(None, 1)[0].upper()
        if instruction not in DOCKER_INSTRUCTIONS:
            continue
        body = start + (len(line) - len(stripped)) + len(instruction)
        if instruction == "HEALTHCHECK":  # `HEALTHCHECK [--interval=5s ...] CMD <command>`
            match = _HEALTHCHECK_CMD.match(text, body, end)
            if match is None:
                continue
            body = match.end()
        words = exec_form(text, body, end)
        found.append(Site([words] if words is not None else split_commands(text, body, end), instruction))
    return found


def exec_form(text: str, start: int, end: int) -> list[Word] | None:
    """The words of a JSON-array (exec form) instruction, or None for shell form."""
    if not text[start:end].lstrip().startswith("["):
        return None
    if "\\\n" in text[start:end] or "\\\r\n" in text[start:end]:
        # Docker joins the lines first (`CMD ["a", \` / `"b"]`): blank the continuations, same offsets
        joined = re.sub(r"\\\r?\n", lambda m: " " * len(m.group()), text[start:end])
        text = text[:start] + joined + text[end:]
    try:
        node = json_spans.parse(text, start, end)
    except json_spans.JSONSpanError:
        return None
    if node.kind != "array":
        return None
    return [Word(str(item.value), item.start, item.end, True,
                 text[item.start + 1:item.end - 1] == item.value) for item in node.items if item.kind == "string"]


def systemd_sites(text: str) -> list[Site]:
    found = []
    for match in _EXEC_LINE.finditer(text):
        end = match.end()
        while True:
            nl = text.find("\n", end)
            if nl == -1 or not text[end:nl].rstrip("\r").endswith("\\"):
                end = len(text) if nl == -1 else nl
                break
            end = nl + 1
        found.append(Site(split_commands(text, match.end(), end)))
    return found


def makefile_sites(text: str) -> list[Site]:
    """Recipe lines (tab-indented), continuations joined, make's own `@ - +` prefixes off."""
    found = []
    for start, end in logical_lines(text):
        if text.startswith("\t", start):
            prefix = _MAKE_PREFIX.match(text, start + 1, end)
            found.append(Site(split_commands(text, prefix.end() if prefix else start + 1, end)))
    return found


# ---- inside a command: wrappers, containers, nested shells ---------------------

def basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


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


# reserved words that come before a command (`if themisdb-server ...; then`, `! cmd`); `time` is a
# wrapper (WRAPPERS: its `-f FORMAT` takes a value)
_LEADING_RESERVED = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{"})


def command_start(words: list[Word]) -> int:
    """Index of the program a command runs, past `VAR=value` words, reserved words (`if`, `then`,
    `!`) and wrappers (`sudo -u x`, `gosu x`, `time -f FMT`)."""
    i = 0
    while i < len(words):
        value = words[i].value
        if _ASSIGNMENT.match(value) or value == "--" or (value in _LEADING_RESERVED and not words[i].quoted):
            i += 1
            continue
        if value == "set" and i + 1 < len(words) and words[i + 1].value == "--":
            i += 2  # `set -- themisdb-server "$@" ...; exec "$@"`: an entrypoint script's command
            continue
        if variable_name(value) and not words[i].quoted and i + 1 < len(words):
            i += 1  # `$NUMACTL themisdb-server ...`: a variable holding a wrapper (or nothing)
            continue
        spec = WRAPPERS.get(basename(value))
        if spec is None:
            break
        i = _skip_wrapper(words, i + 1, *spec)
    return i


def container_run(words: list[Word]) -> int | None:
    """`docker|podman|nerdctl [container] run|create [options] IMAGE ...`: the index of IMAGE."""
    i = command_start(words)
    if i >= len(words) or basename(words[i].value) not in ("docker", "podman", "nerdctl"):
        return None
    i += 1
    if i < len(words) and words[i].value == "container":
        i += 1
    if i >= len(words) or words[i].value not in ("run", "create"):
        return None
    i += 1
    while i < len(words) and words[i].value.startswith("-"):
        i += 2 if words[i].value in DOCKER_VALUE_OPTS else 1
    return i if i < len(words) else None


def shell_script(words: list[Word]) -> Word | None:
    """The script word of `[wrappers] sh -c SCRIPT` (`bash -lc`, `sh -e -c`, `/bin/sh -c --`)."""
    i = command_start(words)
    if i >= len(words) or basename(words[i].value) not in SHELLS:
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


def shell_scripts(words: list[Word], anywhere: bool = False) -> list[Word]:
    """Script words of `sh -c` that a command runs: its own program (`sudo sh -c`) or one after
    `--` (`kubectl exec pod -- sh -c`). `anywhere`: any shell word, for rules that read mentions
    too (`echo sh -c '...'` runs nothing, but a URL in it is still written there)."""
    starts = [i for i, word in enumerate(words)
              if basename(word.value) in SHELLS and (anywhere or i == command_start(words)
                                                     or (i > 0 and words[i - 1].value == "--"))]
    scripts = (shell_script(words[i:]) for i in starts)
    return [script for script in scripts if script is not None]


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


def script_commands(source: str, script: Word, known: dict | None = None) -> list[list[Word]] | None:
    """The commands of an `sh -c` script with spans in the file, or None when the script's value
    does not stand as-is in the source (then read it from `script.value`, report only).
    `known`: scripts already split from YAML block scalars, by word start."""
    if known is not None and script.start in known:
        return known[script.start]
    base = script_base(source, script)
    return None if base is None else split_commands(source, base, base + len(script.value))


# ---- docker-compose and Kubernetes containers ---------------------------------

@dataclass
class Container:
    """The `entrypoint`/`command`/`args` words of one YAML mapping, with what a fix needs."""

    words: list[Word]
    image: str | None
    scripts: dict[int, list[list[Word]] | None] = field(default_factory=dict)  # block-scalar `sh -c` scripts
    unmapped: list[tuple[int, int]] = field(default_factory=list)  # spans whose words do not map 1:1
    items: dict[int, tuple[bool, int]] = field(default_factory=dict)  # list item start -> (flow, list id)


def containers(text: str, docs: list, index) -> list[Container]:
    """Every mapping with `entrypoint`, `command` or `args` in composed YAML documents
    (parse/yaml_nodes); `index` is the text's LineIndex."""
    from themis_lint.parse import yaml_nodes

    found = []
    for node in yaml_nodes.walk(docs):
        if not yaml_nodes.is_mapping(node):
            continue
        keys = {k.value: (k, v) for k, v in node.value if yaml_nodes.is_scalar(k)}
        if not any(key in keys for key in CONTAINER_KEYS):  # a compose service may set only `entrypoint`
            continue
        image = keys.get("image", (None, None))[1]
        container = Container([], image.value if image is not None and _is_string(image) else None)
        for key in CONTAINER_KEYS:
            if key in keys:
                container.words += _yaml_words(text, index, *keys[key], container)
        if container.words:
            found.append(container)
    return found


def _is_string(node) -> bool:
    return node.id == "scalar" and node.tag.endswith(":str")


def _yaml_words(text: str, index, key, value, container: Container) -> list[Word]:
    """The words of a `command`/`args` value (a string or a list of strings), with source spans."""
    if _is_string(value):
        start = value.start_mark.index
        region = scalar_region(text, start, value.value, index.position(key.start_mark.index)[1] - 1)
        commands = scalar_commands(text, region, value.value) if region else None
        if commands is None:
            # compose splits a string `command` like a shell: its words, all spanning the scalar
            end = region[1] if region else _line_end(text, start)
            container.unmapped.append((start, end))
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
            container.scripts[region[0]] = scalar_commands(text, region, item, script=True)
            continue
        raw = text[start:raw_end]
        exact = raw == item or (raw[:1] in "\"'" and raw[1:-1] == item)
        words.append(Word(item, start, raw_end, raw[:1] in "\"'", exact))
        container.items[start] = (bool(value.flow_style), id(value))
    return words


def _line_end(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl == -1 else nl - (nl > pos and text[nl - 1] == "\r")


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _indent_of(text: str, line_start_: int) -> int:
    i = line_start_
    while i < len(text) and text[i] == " ":
        i += 1
    return i - line_start_


def _item_indent(text: str, start: int) -> int:
    """Column of the `-` of a block sequence item (the indentation its scalar must exceed)."""
    line = line_start(text, start)
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
        return _block_region(text, start, parent_indent, first == ">")
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


def _block_region(text: str, start: int, parent_indent: int, folded: bool) -> tuple[int, int, bool] | None:
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
    return content_start, content_end, folded


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
