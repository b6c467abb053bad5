"""ICEWS coded event files (Boschee et al., *ICEWS Coded Event Data*, Harvard Dataverse).

Tab-separated with a header row (a UTF-8 byte-order mark is allowed); no quoting. Country
names (``Source Country``, ``Target Country``) are mapped to CAMEO codes for every state
(:meth:`~peninsula.events.codebook.ActorCodes.country_code`: ICEWS's own spellings, then
ISO 3166 through ``pycountry``); ICEWS's missing markers (empty, ``NA``) become null; a name
that is no country is kept as written (so the row is not lost, and ``dyad`` can still be
asked for it). Sub-state actors ("Police (Nigeria)") are stored under their country; their
name and sectors stay in the description ("Police (Nigeria) [Police] -> ..."), since the
store has one actor column per side. ``Intensity`` is ICEWS's CAMEO-derived Goldstein-style
weight in [-10, 10]. ICEWS has no mention counts: every row counts once.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from peninsula.events.codebook import ActorCodes
from peninsula.events.readers.base import Layout, Raw

NAME = "icews"

COLUMNS = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country",
    "Event Text", "CAMEO Code", "Intensity", "Target Name", "Target Sectors",
    "Target Country", "Story ID", "Sentence Number", "Publisher", "City", "District",
    "Province", "Country", "Latitude", "Longitude",
)  # fmt: skip
NEEDED = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country", "Event Text",
    "CAMEO Code", "Intensity", "Target Name", "Target Sectors", "Target Country",
)  # fmt: skip


MISSING = ("", "NA", "N/A", "NULL", "None")


def country_codes(names: pa.Array, actors: ActorCodes) -> pa.Array:
    """Map ICEWS country names to CAMEO codes (missing -> null, unknown names kept)."""
    names = pc.utf8_trim_whitespace(names)
    names = pc.if_else(pc.is_in(names, value_set=pa.array(MISSING)), None, names)
    distinct = [n for n in pc.unique(names).to_pylist() if n is not None]
    mapped = [actors.country_code(n) for n in distinct]
    keys = pa.array([n for n, m in zip(distinct, mapped, strict=True) if m], pa.string())
    values = pa.array([m for m in mapped if m], pa.string())
    idx = pc.index_in(names, value_set=keys)
    return pc.coalesce(pc.take(values, idx), names)


def _who(name: pa.Array, sectors: pa.Array) -> pa.Array:
    """``Name [Sectors]`` (just the name when the sectors are blank)."""
    tagged = pc.binary_join_element_wise(pc.binary_join_element_wise(name, sectors, " ["), "]", "")
    return pc.coalesce(tagged, name)


def extract(batch: pa.RecordBatch, actors: ActorCodes) -> Raw:
    c = batch.column
    n = batch.schema.names.index
    text = c(n("Event Text"))
    source = _who(c(n("Source Name")), c(n("Source Sectors")))
    target = _who(c(n("Target Name")), c(n("Target Sectors")))
    who = pc.binary_join_element_wise(source, target, " -> ")
    return Raw(
        date=c(n("Event Date")),
        source=country_codes(c(n("Source Country")), actors),
        target=country_codes(c(n("Target Country")), actors),
        code=c(n("CAMEO Code")),
        goldstein=c(n("Intensity")),
        mentions=None,
        description=pc.binary_join_element_wise(who, text, ": "),
        source_url=None,
        event_id=c(n("Event ID")),
    )


LAYOUT = Layout(
    name=NAME,
    delimiter="\t",
    quoted=False,
    header=True,
    columns={20: COLUMNS},
    needed=NEEDED,
    date_format="%Y-%m-%d",
    extract=extract,
    min_code_digits=3,
)
