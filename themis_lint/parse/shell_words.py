"""A shlex-compatible shell-word tokenizer that keeps each word's source span."""
from __future__ import annotations

from dataclasses import dataclass

OPERATORS = ("&&", "||", ";;", ";", "|", "&", "(", ")")


@dataclass(frozen=True)
class Word:
    value: str  # the word as the shell passes it: quotes removed, escapes resolved
    start: int  # span of the raw word in the source
    end: int
    quoted: bool  # some part of it was quoted or escaped
    exact: bool  # value[i] maps to raw text one to one after removing plain quotes (no escapes)


def split_commands(source: str, start: int = 0, end: int | None = None, depth: int = 0) -> list[list[Word]]:
    """Simple commands of a shell script: lists of words, split at newlines and operators.

    Comments are skipped, `\\` line continuations join lines, `$(...)`, `${...}` and
    backticks stay inside the word they belong to. Never raises: an unterminated quote
    runs to the end of the text.
    """
    end = len(source) if end is None else end
    commands: list[list[Word]] = []
    inner: list[list[Word]] = []  # commands inside `$(...)` and backticks
    current: list[Word] = []
    i = start
    while i < end:
        ch = source[i]
        if ch == "\\" and source.startswith("\n", i + 1):
            i += 2
        elif ch == "\\" and source.startswith("\r\n", i + 1):
            i += 3
        elif ch in " \t\r":
            i += 1
        elif ch == "\n" or any(source.startswith(op, i) for op in OPERATORS):
            if current:
                commands.append(current)
                current = []
            i += 1 if ch == "\n" else next(len(op) for op in OPERATORS if source.startswith(op, i))
        elif ch == "#":
            nl = source.find("\n", i, end)
            i = end if nl == -1 else nl
        else:
            word, i = _read_word(source, i, end)
            current.append(word)
            if "$(" in source[word.start:word.end] or "`" in source[word.start:word.end]:
                inner += _substituted(source, word.start, word.end, depth)
    if current:
        commands.append(current)
    return commands + inner  # the script's own commands first, in order; then substituted ones


MAX_SUBSTITUTION_DEPTH = 8  # `$(a $(b $(c ...)))`: deeper nesting is not looked into (bounded work)


def _substituted(source: str, start: int, end: int, depth: int) -> list[list[Word]]:
    """The commands inside a word's `$(...)` and backtick substitutions (`x=$(themisdb-server
    --version)`): they run too. Not in single quotes, not `$((arithmetic))`."""
    if depth >= MAX_SUBSTITUTION_DEPTH:
        return []
    found: list[list[Word]] = []
    i, in_double = start, False
    while i < end:
        ch = source[i]
        if ch == "\\":
            i += 2
        elif ch == "'" and not in_double:
            close = source.find("'", i + 1, end)
            i = end if close == -1 else close + 1
        elif ch == '"':
            in_double, i = not in_double, i + 1
        elif source.startswith("$((", i):
            i = matching_close(source, i, end)
        elif source.startswith("$(", i) or ch == "`":
            close = matching_close(source, i, end)
            inner_start = i + (1 if ch == "`" else 2)
            found += split_commands(source, inner_start, max(inner_start, close - 1), depth + 1)
            i = close
        else:
            i += 1
    return found


def _read_word(source: str, i: int, end: int) -> tuple[Word, int]:
    start, parts, quoted, exact = i, [], False, True
    while i < end:
        ch = source[i]
        if ch in " \t\r\n;&|()" and not (ch == "(" and parts and parts[-1].endswith("$")):
            break
        if ch == "\\":
            if source.startswith("\n", i + 1):
                i += 2
                exact = False
                continue
            parts.append(source[i + 1:i + 2])
            i += 2
            quoted, exact = True, False
        elif ch == "'":
            close = source.find("'", i + 1, end)
            close = end if close == -1 else close
            parts.append(source[i + 1:close])
            i, quoted = close + 1, True
        elif ch == '"':
            text, i, plain = _double_quoted(source, i + 1, end)
            parts.append(text)
            quoted, exact = True, exact and plain
        elif ch == "$" and source.startswith(("$(", "${"), i) or ch == "`":
            close = matching_close(source, i, end)
            parts.append(source[i:close])
            i = close
        else:
            parts.append(ch)
            i += 1
    return Word("".join(parts), start, min(i, end), quoted, exact), min(i, end)


def _double_quoted(source: str, i: int, end: int) -> tuple[str, int, bool]:
    out, plain = [], True
    while i < end and source[i] != '"':
        if source[i] == "\\" and i + 1 < end and source[i + 1] in '$`"\\\n':
            if source[i + 1] != "\n":
                out.append(source[i + 1])
            i += 2
            plain = False
        elif source.startswith(("$(", "${"), i) or source[i] == "`":
            close = matching_close(source, i, end)
            out.append(source[i:close])
            i = close
        else:
            out.append(source[i])
            i += 1
    return "".join(out), min(i + 1, end), plain


def matching_close(source: str, i: int, end: int) -> int:
    """End (exclusive) of the `$(...)`, `${...}` or backtick group starting at i."""
    if source[i] == "`":
        close = source.find("`", i + 1, end)
        return end if close == -1 else close + 1
    opener, closer = source[i + 1], ")" if source[i + 1] == "(" else "}"
    depth, j = 0, i + 1
    while j < end:
        c = source[j]
        if c == "\\":
            j += 2
            continue
        if c == "'" and closer == ")":
            close = source.find("'", j + 1, end)
            j = end if close == -1 else close + 1
            continue
        if c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return end


def raw_offset(source: str, word: Word, index: int) -> int | None:
    """Source offset of word.value[index] for a word with exact mapping, else None."""
    if not word.exact:
        return None
    seen, i, quote = 0, word.start, ""
    while i < word.end:
        ch = source[i]
        if not quote and ch in "'\"":
            quote = ch
        elif quote and ch == quote:
            quote = ""
        else:
            if seen == index:
                return i
            seen += 1
        i += 1
    return i if seen == index else None


def value_offsets(source: str, word: Word) -> list[int] | None:
    """Source offset of every character of word.value, or None when they do not map one to one."""
    if not word.exact:
        return None
    offsets, quote, i = [], "", word.start
    while i < word.end:
        ch = source[i]
        if quote != "'" and (source.startswith(("$(", "${"), i) or ch == "`"):
            close = min(matching_close(source, i, word.end), word.end)  # kept verbatim in the value
            offsets += range(i, close)
            i = close
            continue
        if not quote and ch in "'\"":
            quote = ch
        elif quote and ch == quote:
            quote = ""
        else:
            offsets.append(i)
        i += 1
    if len(offsets) != len(word.value):
        return None
    return offsets


def exact_region(source: str, word: Word, skip: int = 0) -> int | None:
    """Offset where word.value[skip:] stands contiguously in the source, else None."""
    offsets = value_offsets(source, word)
    value = word.value[skip:]
    if offsets is None or not value:
        return None
    base = offsets[skip]
    return base if source[base:base + len(value)] == value else None
