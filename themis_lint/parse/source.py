"""One file as every surface sees it during one analysis pass: its text, its path, one line index
(the one line model of themis_lint/text.py) and the parses several surfaces read, each made once
on first use and shared (YAML nodes, the JSON span tree, where shell commands live).

The pipeline builds a Source per pass and hands the same one to each surface that wants the file;
a parse that fails fails once, and every surface asking again gets the same error.
"""
from __future__ import annotations

from typing import Any, Callable

from themis_lint.text import LineIndex


class Source:
    __slots__ = ("text", "path", "_memo")

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self._memo: dict[str, tuple[Any, BaseException | None]] = {}

    def shared(self, key: str, build: Callable[[], Any]) -> Any:
        """`build()` once for this file; its result, or the exception it raised, every time."""
        if key not in self._memo:
            try:
                self._memo[key] = (build(), None)
            except Exception as exc:  # noqa: BLE001  kept and raised again for every asker
                self._memo[key] = (None, exc)
        value, error = self._memo[key]
        if error is not None:
            raise error
        return value

    @property
    def index(self) -> LineIndex:
        return self.shared("index", lambda: LineIndex(self.text))

    def yaml(self) -> list:
        """Composed YAML documents (parse/yaml_nodes); AnalysisError when the text is not YAML."""
        from themis_lint.parse import yaml_nodes

        return self.shared("yaml", lambda: yaml_nodes.compose(self.text))

    def json(self):
        """The JSON span tree, duplicate keys kept (parse/json_spans); JSONSpanError when not JSON."""
        from themis_lint.parse import json_spans

        return self.shared("json", lambda: json_spans.parse(self.text, allow_duplicates=True))

    def sites(self) -> list:
        """Where shell commands live in this file (parse/commands)."""
        from themis_lint.parse import commands

        return self.shared("sites", lambda: commands.sites(self.text, self.path))
