"""Safe YAML reading that remembers where every value came from (file and line).

PyYAML's safe loader is used only to *compose* the node tree; we build plain Python values
from it ourselves so that we can (a) record the line of every key and list item, (b) refuse
duplicate keys, which PyYAML silently overwrites, (c) refuse any explicit tag, and (d) bound
the work an adversarial file (alias bombs, deep nesting, huge files) can cause.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from peninsula.errors import InputError, Located

MAX_FILE_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

Where = tuple[Path, int]


class LocDict(dict[str, Any]):
    """A dict that knows the file and line of each of its keys."""

    def __init__(self, where: Where | None = None) -> None:
        super().__init__()
        self.where = where
        self.lines: dict[str, Where] = {}


class LocList(list[Any]):
    """A list that knows the file and line of each of its items."""

    def __init__(self, where: Where | None = None) -> None:
        super().__init__()
        self.where = where
        self.lines: list[Where] = []


@dataclass
class _Builder:
    file: Path
    loader: yaml.SafeLoader
    nodes: int = 0
    problems: list[Located] = field(default_factory=list)

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Located(message, self.file, node.start_mark.line + 1))

    def build(self, node: yaml.Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            self.fail(node, "document too large or too deeply nested (alias expansion?)")
            raise _TooLargeError
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, f"tag {node.tag!r} is not allowed in a scenario file")
            return None
        where = (self.file, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, where, depth)
        if isinstance(node, yaml.SequenceNode):
            out = LocList(where)
            for item in node.value:
                out.append(self.build(item, depth + 1))
                out.lines.append((self.file, item.start_mark.line + 1))
            return out
        try:
            return self.loader.construct_object(node)
        except yaml.YAMLError as error:
            self.fail(node, f"cannot read value: {error}")
            return None

    def _mapping(self, node: yaml.MappingNode, where: Where, depth: int) -> LocDict:
        out = LocDict(where)
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if not isinstance(key, str | int | float) or isinstance(key, bool):
                self.fail(key_node, "mapping keys must be plain names")
                continue
            key = str(key)
            if key in out:
                first = out.lines[key][1]
                self.fail(key_node, f"duplicate key {key!r} (first given on line {first})")
                continue
            out[key] = self.build(value_node, depth + 1)
            out.lines[key] = (self.file, key_node.start_mark.line + 1)
        return out


class _TooLargeError(Exception):
    pass


def read_yaml(path: Path) -> Any:
    """Read one YAML document safely; returns LocDict/LocList/scalars; raises InputError."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                [Located(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}", path)]
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([Located("no such file", path)]) from None
    except IsADirectoryError:
        raise InputError([Located("is a directory, not a scenario file", path)]) from None
    except UnicodeDecodeError as error:
        raise InputError([Located(f"not UTF-8 text ({error.reason})", path)]) from None
    except OSError as error:
        raise InputError([Located(f"cannot read: {error.strerror}", path)]) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> Any:
    """Parse YAML text attributed to ``path``; see :func:`read_yaml`."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or str(error)
        raise InputError([Located(f"malformed YAML: {reason}", path, line)]) from None
    except yaml.YAMLError as error:
        raise InputError([Located(f"malformed YAML: {error}", path)]) from None
    try:
        if node is None:
            raise InputError([Located("the file is empty", path)])
        builder = _Builder(path, loader)
        try:
            value = builder.build(node)
        except _TooLargeError:
            value = None
        if builder.problems:
            raise InputError(builder.problems)
        return value
    finally:
        loader.dispose()
