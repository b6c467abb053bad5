"""Safe YAML reading that remembers where every value came from (file and line).

PyYAML's safe loader is used only to *compose* the node tree; we build plain Python values
from it ourselves so that we can (a) record the line of every key and list item, (b) refuse
duplicate keys, which PyYAML silently overwrites, (c) refuse any explicit tag, and (d) bound
the work an adversarial file (alias bombs, deep nesting, huge files) can cause.

Limits are enforced while reading, never taken on trust: the file is read with a hard cap of
``MAX_FILE_BYTES + 1`` bytes (its stated size means nothing for ``/dev/zero`` or a FIFO), and
nesting is counted while PyYAML composes the node tree (its composer recurses once per level,
so 5,000 ``[`` would otherwise end in a ``RecursionError``). Messages never quote long
stretches of the file: a file that is not a scenario must not be echoed to the terminal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml.reader

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
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]{0,63}")


def shown(text: object) -> str:
    """``text`` quoted for a message if it is short and name-like, else a neutral stand-in.

    Messages quote keys and values so the user can find them, but must not copy whole lines
    of a file that is not a scenario (``extends: /etc/shadow``) to the terminal.
    """
    if isinstance(text, str) and _NAME.fullmatch(text):
        return repr(text)
    return "(not shown)"


class _TooDeepError(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, counting nesting while it composes (its composer recurses).

    It also reads floats as YAML 1.2 does: PyYAML follows YAML 1.1, where ``1e3`` and
    ``1.0e12`` (no sign in the exponent) are *strings*, which then failed as "not a number"
    although every other YAML tool reads them as numbers.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _TooDeepError(self.peek_event().start_mark.line + 1)  # type: ignore[no-untyped-call]
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$"),
    list("-+0123456789."),
)


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
    loader: _Loader
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
            self.fail(node, f"cannot read value: {getattr(error, 'problem', None) or error}")
        except (ValueError, OverflowError) as error:
            # PyYAML builds dates and numbers with the stdlib: ``2025-13-45`` is a timestamp
            # by its syntax but ``datetime.date`` refuses it ("month must be in 1..12").
            kind = "date" if node.tag.endswith(":timestamp") else "number"
            self.fail(node, f"not a valid {kind}: {error}")
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
                self.fail(key_node, f"duplicate key {shown(key)} (first given on line {first})")
                continue
            out[key] = self.build(value_node, depth + 1)
            out.lines[key] = (self.file, key_node.start_mark.line + 1)
        return out


class _TooLargeError(Exception):
    pass


def read_yaml(path: Path) -> Any:
    """Read one YAML document safely; returns LocDict/LocList/scalars; raises InputError."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Located("no such file", path)]) from None
    except IsADirectoryError:
        raise InputError([Located("is a directory, not a scenario file", path)]) from None
    except OSError as error:
        raise InputError([Located(f"cannot read: {error.strerror}", path)]) from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            [Located(f"file is larger than the limit of {MAX_FILE_BYTES:,} bytes", path)]
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError([Located(f"not UTF-8 text ({error.reason})", path, line)]) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> Any:
    """Parse YAML text attributed to ``path``; see :func:`read_yaml`."""
    try:
        loader = _Loader(text)  # the reader checks every character here
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        message = f"control character U+{code:04X} is not allowed in YAML text"
        raise InputError([Located(message, path, line)]) from None
    try:
        node = loader.get_single_node()
    except _TooDeepError as error:
        message = f"nested deeper than {MAX_DEPTH} levels"
        raise InputError([Located(message, path, error.line)]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = mark.line + 1 if mark is not None else None
        reason = error.problem or "cannot parse"
        raise InputError([Located(f"malformed YAML: {reason}", path, where)]) from None
    except yaml.YAMLError:
        raise InputError([Located("malformed YAML", path)]) from None
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
