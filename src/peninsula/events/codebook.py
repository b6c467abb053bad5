"""CAMEO event codebook and actor codes, loaded from the package data (or a given file).

CAMEO (Schrodt 2012, *CAMEO Conflict and Mediation Event Observations, Event and Actor
Codebook*, v1.1b3) assigns each event type a code; Goldstein (1992, "A Conflict-Cooperation
Scale for WEIS Events Data", *J. Conflict Resolution* 36(2)) gives each a weight in
[-10, +10]; the quad classes (1 verbal cooperation, 2 material cooperation, 3 verbal
conflict, 4 material conflict) group the 20 root codes as GDELT does. Validation here is
strict because every reader relies on these tables to check and enrich rows.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow as pa

from peninsula.errors import InputError, Located

CAMEO_FILE = "cameo_eventcodes.csv"
ACTORS_FILE = "actor_codes.csv"
CAMEO_HEADER = ("code", "label", "root_code", "goldstein", "quad_class")
ACTOR_HEADER = ("cameo", "iso3", "name", "kind", "icews_name")


@dataclass(frozen=True)
class Codebook:
    """The CAMEO event codes with their root code, Goldstein weight and quad class.

    ``codes`` etc. are parallel arrow arrays so that readers can look up millions of rows
    with ``pyarrow.compute.index_in`` + ``take`` (vectorised) instead of a Python dict.
    """

    codes: pa.Array
    labels: tuple[str, ...]
    root_codes: pa.Array
    goldstein: pa.Array
    quad_class: pa.Array
    origin: str = ""
    _index: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __contains__(self, code: object) -> bool:
        return code in self._index

    def lookup(self, code: str) -> tuple[str, float, int]:
        """``(root_code, goldstein, quad_class)`` of one code (KeyError if unknown)."""
        i = self._index[code]
        return (
            self.root_codes[i].as_py(),
            self.goldstein[i].as_py(),
            self.quad_class[i].as_py(),
        )

    def label(self, code: str) -> str:
        return self.labels[self._index[code]]

    def normalise_code(self, code: str) -> str:
        """Restore a leading zero some files drop ("42" -> "042", "211" -> "0211")."""
        code = code.strip()
        if code not in self._index and ("0" + code) in self._index:
            return "0" + code
        return code


@dataclass(frozen=True)
class ActorCodes:
    """Country/organisation codes: CAMEO code, ISO3, name, kind and ICEWS country name."""

    rows: tuple[tuple[str, str, str, str, str], ...]

    @property
    def icews_to_cameo(self) -> dict[str, str]:
        """ICEWS country names (``|``-separated in the table) to CAMEO codes."""
        return {name: r[0] for r in self.rows for name in r[4].split("|") if name}

    @property
    def iso3_to_cameo(self) -> dict[str, str]:
        return {r[1]: r[0] for r in self.rows if r[1]}

    def country_code(self, name: str) -> str | None:
        """The CAMEO code of a country written out by name (ICEWS), or None if unknown.

        ICEWS's own spellings (the ``icews_name`` column) first, then ISO 3166-1 through
        ``pycountry`` (names, official and common names: "Nigeria", "Bolivia", "Russian
        Federation"). CAMEO country codes are the ISO alpha-3 codes (CAMEO manual, actor
        codes chapter); the table's ``iso3`` column records any exception. No fuzzy
        matching: a wrong country is worse than an unmapped name.
        """
        return _country_code(self, name)

    @property
    def cameo_codes(self) -> frozenset[str]:
        """The codes of the bundled table."""
        return frozenset(r[0] for r in self.rows)

    def is_known(self, code: str) -> bool:
        """A code of the table or the CAMEO code of any state (ISO 3166-1 alpha-3)."""
        return code in self.cameo_codes or code in _iso3_codes()

    def name(self, cameo: str) -> str:
        for r in self.rows:
            if r[0] == cameo:
                return r[2]
        return cameo


@lru_cache(maxsize=4096)
def _country_code(actors: ActorCodes, name: str) -> str | None:
    known = actors.icews_to_cameo.get(name)
    if known is not None:
        return known
    if len(name) < 4:  # pycountry also matches alpha-2/3 codes ("NA" is Namibia, not missing)
        return None
    import pycountry

    try:
        iso3 = str(pycountry.countries.lookup(name).alpha_3)
    except LookupError:
        return None
    return actors.iso3_to_cameo.get(iso3, iso3)


@lru_cache(maxsize=1)
def _iso3_codes() -> frozenset[str]:
    import pycountry

    return frozenset(str(c.alpha_3) for c in pycountry.countries)


def _read_text(path: Path | None, default: str) -> tuple[str, str]:
    if path is not None:
        try:
            return path.read_text(encoding="utf-8"), str(path)
        except OSError as e:
            raise InputError([Located(f"cannot read: {e.strerror}", file=path)]) from e
    ref = resources.files("peninsula.events") / "data" / default
    try:
        return ref.read_text(encoding="utf-8"), f"peninsula/events/data/{default}"
    except FileNotFoundError as e:
        raise InputError([Located("bundled codebook missing", file=Path(default))]) from e


def _rows(text: str, origin: str, header: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text))
    try:
        head = next(reader)
    except StopIteration:
        raise InputError([Located("empty file", file=Path(origin), line=1)]) from None
    if tuple(h.strip() for h in head) != header:
        raise InputError([Located(f"header must be {','.join(header)}", file=Path(origin), line=1)])
    out = []
    for row in reader:
        if not row or all(not c.strip() for c in row):
            continue
        line = reader.line_num
        if len(row) != len(header):
            raise InputError(
                [
                    Located(
                        f"expected {len(header)} columns, found {len(row)}",
                        file=Path(origin),
                        line=line,
                    )
                ]
            )
        out.append((line, [c.strip() for c in row]))
    return out


def parse_codebook(text: str, origin: str = "<text>") -> Codebook:
    """Parse and validate ``code,label,root_code,goldstein,quad_class`` rows."""
    codes: list[str] = []
    labels: list[str] = []
    roots: list[str] = []
    gold: list[float] = []
    quads: list[int] = []
    problems: list[Located] = []
    where = Path(origin)
    for line, (code, label, root, g, q) in _rows(text, origin, CAMEO_HEADER):
        if not code.isdigit() or len(code) not in (2, 3, 4):
            problems.append(Located("not a 2-4 digit code", where, line, "code"))
            continue
        if not root.isdigit() or len(root) != 2 or not code.startswith(root):
            problems.append(
                Located(f"{root!r} is not the root of {code}", where, line, "root_code")
            )
            continue
        try:
            gv = float(g)
        except ValueError:
            problems.append(Located(f"not a number: {g!r}", where, line, "goldstein"))
            continue
        if not math.isfinite(gv) or not -10.0 <= gv <= 10.0:
            problems.append(Located(f"outside [-10, 10]: {g}", where, line, "goldstein"))
            continue
        if q not in ("1", "2", "3", "4"):
            problems.append(Located(f"must be 1-4, got {q!r}", where, line, "quad_class"))
            continue
        if code in codes:
            problems.append(Located(f"duplicate code {code}", where, line, "code"))
            continue
        codes.append(code)
        labels.append(label)
        roots.append(root)
        gold.append(gv)
        quads.append(int(q))
    if problems:
        raise InputError(problems)
    return Codebook(
        codes=pa.array(codes, pa.string()),
        labels=tuple(labels),
        root_codes=pa.array(roots, pa.string()),
        goldstein=pa.array(gold, pa.float64()),
        quad_class=pa.array(quads, pa.int8()),
        origin=origin,
        _index={c: i for i, c in enumerate(codes)},
    )


def load_codebook(path: Path | None = None) -> Codebook:
    """The CAMEO codebook from ``path`` or the bundled ``cameo_eventcodes.csv``."""
    if path is None:
        return _bundled_codebook()
    text, origin = _read_text(path, CAMEO_FILE)
    return parse_codebook(text, origin)


@lru_cache(maxsize=1)
def _bundled_codebook() -> Codebook:
    text, origin = _read_text(None, CAMEO_FILE)
    return parse_codebook(text, origin)


def parse_actors(text: str, origin: str = "<text>") -> ActorCodes:
    """Parse and validate ``cameo,iso3,name,kind,icews_name`` rows."""
    rows = []
    problems = []
    seen: set[str] = set()
    for line, (cameo, iso3, name, kind, icews) in _rows(text, origin, ACTOR_HEADER):
        if not cameo or not cameo.isalnum() or cameo.upper() != cameo:
            problems.append(Located(f"bad CAMEO actor code {cameo!r}", Path(origin), line, "cameo"))
            continue
        if cameo in seen:
            problems.append(Located(f"duplicate code {cameo}", Path(origin), line, "cameo"))
            continue
        seen.add(cameo)
        rows.append((cameo, iso3, name, kind, icews))
    if problems:
        raise InputError(problems)
    return ActorCodes(tuple(rows))


def load_actors(path: Path | None = None) -> ActorCodes:
    """Actor codes from ``path`` or the bundled ``actor_codes.csv``."""
    if path is None:
        return _bundled_actors()
    text, origin = _read_text(path, ACTORS_FILE)
    return parse_actors(text, origin)


@lru_cache(maxsize=1)
def _bundled_actors() -> ActorCodes:
    text, origin = _read_text(None, ACTORS_FILE)
    return parse_actors(text, origin)
