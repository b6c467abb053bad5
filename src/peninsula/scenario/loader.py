"""Find, read, merge (``extends``) and validate scenario files.

Errors name the file, line and field of every problem (``InputError``): the loader keeps the
line of each value from the YAML (``yamlio``) through the merge of a variant over its base, and
maps pydantic's error locations and the cross-file checks back onto them.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from peninsula.errors import InputError, Located, NotFoundError
from peninsula.scenario import schema
from peninsula.scenario.schema import FieldPath, Scenario, cross_check
from peninsula.scenario.yamlio import LocDict, LocList, Where, read_yaml, shown

SUFFIXES = (".yaml", ".yml")
MAX_EXTENDS_DEPTH = 8
TOP_KEYS = frozenset({"format_version", "metadata", "issues", "actors", "relations", "policies"})


def builtin_dir() -> Path:
    """The directory of the built-in scenarios shipped as package data."""
    return Path(str(resources.files("peninsula.scenario") / "builtin"))


def builtin_names() -> list[str]:
    """Names of the built-in scenarios, e.g. ``korea-2025``."""
    return sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def resolve(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """A built-in scenario name or a file path, as the path of a file that exists."""
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    if candidate.suffix in SUFFIXES or candidate.exists() or "/" in text:
        if not candidate.exists():
            raise NotFoundError(f"{candidate}: no such scenario file")
        return candidate
    builtin = builtin_dir() / f"{text}.yaml"
    if builtin.exists():
        return builtin
    names = builtin_names()
    close = difflib.get_close_matches(text, names, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise NotFoundError(
        f"unknown scenario {text!r}: neither a built-in ({', '.join(names)}) nor a file.{hint}"
    )


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load, merge and validate a scenario; raises :class:`InputError` naming file and line."""
    path = resolve(name_or_path)
    roots = (path.resolve().parent, builtin_dir().resolve())
    data = _read_with_bases(path, chain=(), roots=roots)
    return validate(data, path)


def validate(data: Any, path: Path) -> Scenario:
    """Validate merged YAML data (LocDict) as a :class:`Scenario`."""
    if not isinstance(data, dict):
        raise InputError([Located("a scenario file must be a mapping of keys", path, 1)])
    data.pop("extends", None)
    try:
        scenario = Scenario.model_validate(_plain(data))
    except ValidationError as error:
        raise InputError(_locate_pydantic(error, data, path)) from None
    problems = cross_check(scenario)
    if problems:
        raise InputError([_locate(p, m, data, path) for p, m in problems])
    return scenario


# --------------------------------------------------------------------------- extends
def _read_with_bases(path: Path, chain: tuple[Path, ...], roots: tuple[Path, ...]) -> Any:
    data = read_yaml(path)
    if isinstance(data, LocDict) and not (TOP_KEYS | {"extends"}) & set(data):
        # Not a scenario at all: say so without quoting any of it (see yamlio.shown).
        keys = ", ".join(sorted(TOP_KEYS))
        raise InputError([Located(f"not a scenario file (none of the keys {keys})", path, 1)])
    if not isinstance(data, LocDict) or "extends" not in data:
        return data
    where = data.lines["extends"]
    base_ref = data["extends"]
    if not isinstance(base_ref, str):
        raise InputError([Located("must name a built-in scenario or a file", *where, "extends")])
    try:
        base_path = resolve(base_ref, relative_to=path.parent)
    except NotFoundError as error:
        raise InputError([Located(str(error), *where, "extends")]) from None
    resolved = base_path.resolve()
    if resolved.suffix not in SUFFIXES or not any(resolved.is_relative_to(r) for r in roots):
        # A variant may build on a built-in or on a scenario file in its own folder tree,
        # never on an arbitrary file of the system (whose content errors would print).
        raise InputError(
            [
                Located(
                    f"must name a built-in scenario or a {'/'.join(SUFFIXES)} file inside "
                    f"{roots[0]} (the scenario's own folder tree)",
                    *where,
                    "extends",
                )
            ]
        )
    if resolved in chain or resolved == path.resolve():
        raise InputError([Located(f"circular extends via {base_path}", *where, "extends")])
    if len(chain) >= MAX_EXTENDS_DEPTH:
        raise InputError([Located("extends chain is too long", *where, "extends")])
    base = _read_with_bases(base_path, chain + (path.resolve(),), roots)
    if not isinstance(base, LocDict):
        raise InputError([Located("the base scenario is not a mapping", base_path, 1)])
    base.pop("extends", None)
    merged = _merge(base, data)
    merged.pop("extends", None)
    return merged


def _merge(base: Any, override: Any) -> Any:
    """Deep merge: mappings key by key, lists of ``id``-ed items by id, anything else replaced.

    An item ``{id: X, remove: true}`` in a variant's list removes item X of the base.
    """
    if isinstance(base, LocDict) and isinstance(override, LocDict):
        out = LocDict(override.where)
        for key in base:
            out[key], out.lines[key] = base[key], base.lines[key]
        for key in override:
            out[key] = _merge(base[key], override[key]) if key in base else override[key]
            out.lines[key] = override.lines[key]
        return out
    if _is_id_list(base) and _is_id_list(override) and override:  # [] empties the list
        return _merge_by_id(base, override)
    return override


def _is_id_list(value: Any) -> bool:
    return isinstance(value, LocList) and all(
        isinstance(item, LocDict) and isinstance(item.get("id"), str) for item in value
    )


def _merge_by_id(base: LocList, override: LocList) -> LocList:
    out = LocList(override.where)
    position = {item["id"]: index for index, item in enumerate(base)}
    items: list[tuple[Any, Where]] = list(zip(base, base.lines, strict=True))
    removed: set[str] = set()
    for item, where in zip(override, override.lines, strict=True):
        item_id = item["id"]
        if item.get("remove") is True:
            removed.add(item_id)
            continue
        if item_id in position:
            index = position[item_id]
            items[index] = (_merge(items[index][0], item), where)
        else:
            position[item_id] = len(items)
            items.append((item, where))
    for item, where in items:
        if item["id"] not in removed:
            out.append(item)
            out.lines.append(where)
    return out


def _plain(value: Any) -> Any:
    """LocDict/LocList to plain dict/list for pydantic."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


# --------------------------------------------------------------------------- locating
def _walk(data: Any, loc: FieldPath, path: Path, missing: bool = False) -> tuple[list[str], Where]:
    """Follow ``loc`` through the data; returns the readable field path and the best line."""
    where: Where = getattr(data, "where", None) or (path, 1)
    shown: list[str] = []
    current = data
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(current, LocDict) and isinstance(part, str) and part in current:
            where = current.lines[part]
            shown.append(part)
            current = current[part]
        elif isinstance(current, LocList) and isinstance(part, int) and 0 <= part < len(current):
            where = current.lines[part]
            item = current[part]
            label = item.get("id") if isinstance(item, LocDict) else None
            shown.append(f"[{label}]" if isinstance(label, str) else f"[{part}]")
            current = item
        elif last and missing and isinstance(part, str) and isinstance(current, dict):
            shown.append(part)  # a missing field: point at its parent
        # anything else is a union tag or validator name inside pydantic's location
    return shown, where


def _field_text(parts: list[str]) -> str:
    return "".join(p if p.startswith("[") else f".{p}" for p in parts).lstrip(".")


def _locate(loc: FieldPath, message: str, data: Any, path: Path, missing: bool = False) -> Located:
    parts, (file, line) = _walk(data, loc, path, missing)
    return Located(message, file, line, _field_text(parts) or None)


def _known_keys() -> list[str]:
    names: set[str] = set()
    for value in vars(schema).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            names.update(value.model_fields)
    return sorted(names)


def _message(error: Any) -> str:
    kind, text = str(error["type"]), str(error["msg"])
    if kind == "extra_forbidden":
        key = str(error["loc"][-1])
        close = difflib.get_close_matches(key, _known_keys(), n=1)
        return f"unknown key {shown(key)}" + (f" (did you mean {close[0]!r}?)" if close else "")
    if kind == "missing":
        return "required field is missing"
    if kind == "string_pattern_mismatch":
        text = "an id must start with a letter and use only letters, digits, '_' or '-'"
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    if (
        "input" in error
        and "(got " not in text
        and kind not in {"union_tag_invalid", "unknown_change"}
    ):
        given = error["input"]
        if isinstance(given, int | float | bool) or given is None:
            text += f" (got {given!r})"
        elif isinstance(given, str):
            text += f" (got {shown(given) if len(given) > 20 else repr(given)})"
    return text


def _relevant(errors: list[Any]) -> list[Any]:
    """Drop pydantic's knock-on errors so each mistake is reported once.

    A list that is "too short" because one of its items failed, and a field reported
    "missing" next to an unknown key that is a near-miss of it (a typo), are consequences.
    """
    locs = [tuple(e["loc"]) for e in errors]
    typos = {
        tuple(e["loc"][:-1]) + (close,)
        for e in errors
        if e["type"] == "extra_forbidden"
        for close in difflib.get_close_matches(str(e["loc"][-1]), _known_keys(), n=1)
    }
    kept = []
    for error, loc in zip(errors, locs, strict=True):
        if error["type"] == "too_short" and any(o[: len(loc)] == loc and o != loc for o in locs):
            continue
        if error["type"] == "missing" and loc in typos:
            continue
        kept.append(error)
    return kept


def _locate_pydantic(error: ValidationError, data: Any, path: Path) -> list[Located]:
    located: list[Located] = []
    seen: set[tuple[str | None, str]] = set()
    for item in _relevant(error.errors()):
        missing = item["type"] == "missing"
        place = _locate(tuple(item["loc"]), _message(item), data, path, missing)
        key = (place.field, place.message)
        if key not in seen:  # unions repeat one problem once per member
            seen.add(key)
            located.append(place)
    return located
