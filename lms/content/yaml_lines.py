"""YAML with line numbers: content files and module front matter parsed so each fault points at its line.

Pure (no Flask, no database).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from lms.content.problems import Report


class YamlFault(Exception):
    """Text that cannot be read as YAML (or front matter), at file line `line`."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Lines:
    """File line numbers (1-based) of a YAML value and of what it contains.

    A mapping's children are keyed by the key's text and carry the key's line; a sequence's by index.
    """

    line: int
    children: dict[str | int, Lines] = field(default_factory=dict)

    def node(self, *path: object) -> Lines:
        """Return the deepest node along `path` that exists, so a fault still points near its place."""
        node = self
        for key in path:
            child = node.children.get(key) if isinstance(key, str | int) else None
            if child is None and not isinstance(key, str):
                child = node.children.get(str(key))
            if child is None:
                break
            node = child
        return node

    def at(self, *path: object) -> int:
        """Return the line of the deepest node along `path` that exists."""
        return self.node(*path).line


class _Dates:
    """Report an impossible date (2026-02-30) at its line instead of a bare ValueError."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> date | datetime:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid date '{node.value}' ({exc})", node.start_mark
            ) from exc


class _Loader(_Dates, yaml.SafeLoader):
    pass


class _FastLoader(_Dates, yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader):
    """libyaml's parser when PyYAML was built with it (its wheels are): the same nodes and line marks, read several
    times faster."""


for _loader in (_Loader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:timestamp", _Dates.construct_yaml_timestamp)


def parse_yaml(text: str, offset: int) -> tuple[Any, Lines, list[tuple[int, str]]]:
    """Return (data, line tree, duplicate keys as (line, key)) of YAML text that starts `offset` lines in.

    Raises YamlFault for text that is not valid YAML, in the words of PyYAML's own parser (libyaml words its faults
    differently, so faulty text is read again with the Python one).
    """
    try:
        return _parse(text, offset, _FastLoader)
    except YamlFault:
        return _parse(text, offset, _Loader)


def _parse(text: str, offset: int, loader_class: type) -> tuple[Any, Lines, list[tuple[int, str]]]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = offset + 1 + (mark.line if mark else 0)
        raise YamlFault(line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlFault(offset + 1, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    duplicates: list[tuple[int, str]] = []
    lines = Lines(offset + 1) if node is None else _line_tree(node, offset, duplicates)
    return data, lines, duplicates


def _line_tree(node: yaml.Node, offset: int, duplicates: list[tuple[int, str]]) -> Lines:
    children: dict[str | int, Lines] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1 + offset
            if key in children:
                # PyYAML silently keeps the last value; an author almost certainly meant something else.
                duplicates.append((key_line, key))
            children[key] = Lines(key_line, _line_tree(value_node, offset, duplicates).children)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            children[index] = _line_tree(item, offset, duplicates)
    return Lines(node.start_mark.line + 1 + offset, children)


def split_front(text: str) -> tuple[str, str, int]:
    """Return (front matter YAML, body, body's first line number); front matter starts on line 2.

    Raises YamlFault if the text does not start with a '---' line or the front matter is not closed.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != "---":
        raise YamlFault(1, "missing front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise YamlFault(1, "front matter is not closed by a '---' line")


def read_yaml_file(path: Path, report: Report) -> tuple[Any, Lines] | None:
    """Return (data, line tree) of a YAML file, or None after reporting why it cannot be read."""
    if not path.is_file():
        report(1, "file is missing")
        return None
    try:
        data, lines, duplicates = parse_yaml(path.read_text(encoding="utf-8-sig"), offset=0)
    except UnicodeDecodeError:
        report(1, "file is not valid UTF-8")
        return None
    except YamlFault as fault:
        report(fault.line, fault.message)
        return None
    for line, key in duplicates:
        report(line, f"duplicate field '{key}'")
    if not isinstance(data, dict):
        report(lines.line, "file must be a mapping of fields")
        return None
    return data, lines
