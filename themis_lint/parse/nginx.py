"""nginx configs as tokens with source spans (docs/surfaces.md "Where commands live"): which files
are nginx configs, and a linear tokenizer that never fails (an unterminated quote runs to the end).
"""
from __future__ import annotations

from dataclasses import dataclass

NGINX_DIRS = {"nginx", "conf.d", "sites-available", "sites-enabled"}


def is_nginx(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    if name == "nginx.conf" or name.endswith(".nginx.conf"):
        return True
    return name.endswith(".conf") and any(p in NGINX_DIRS for p in parts[:-1])


@dataclass(frozen=True)
class Token:
    value: str
    start: int  # span of the raw token, quotes included
    end: int
    exact: bool  # value == the raw text inside the quotes
    directive: str  # the directive the token belongs to ("" for the name itself)


def tokens(text: str) -> list[Token]:
    """Tokens of an nginx config: linear, never fails (an unterminated quote runs to the end)."""
    tokens: list[Token] = []
    directive, i, n = None, 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch == "#":
            nl = text.find("\n", i)
            i = n if nl == -1 else nl
        elif ch in ";{}":
            directive, i = None, i + 1
        else:
            value, end, exact = _word(text, i)
            tokens.append(Token(value, i, end, exact, directive or ""))
            directive = value if directive is None else directive
            i = end
    return tokens


def _word(text: str, i: int) -> tuple[str, int, bool]:
    if text[i] in "'\"":
        quote, j, out, exact = text[i], i + 1, [], True
        while j < len(text) and text[j] != quote:
            if text[j] == "\\" and j + 1 < len(text):
                out.append(text[j + 1])
                j += 2
                exact = False
            else:
                out.append(text[j])
                j += 1
        return "".join(out), min(j + 1, len(text)), exact
    j = i
    while j < len(text) and text[j] not in " \t\r\n;{}":
        if text.startswith("${", j):  # `${name}` is a variable, not a block
            close = text.find("}", j)
            j = len(text) if close == -1 else close
        j += 1
    j = min(j, len(text))
    raw = text[i:j]
    return raw, j, "\\" not in raw
