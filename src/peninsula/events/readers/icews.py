"""ICEWS coded event files (Boschee et al., *ICEWS Coded Event Data*, Harvard Dataverse).

Tab-separated with a header row; no quoting. Country names (``Source Country``,
``Target Country``) are mapped to CAMEO codes with the ``icews_name`` column of
``actor_codes.csv``; a name missing from that table is kept as written (so the row is not
lost, and ``dyad`` can still be asked for it). ``Intensity`` is ICEWS's CAMEO-derived
Goldstein-style weight in [-10, 10]. ICEWS has no mention counts: every row counts once.
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
    "Event ID", "Event Date", "Source Name", "Source Country", "Event Text", "CAMEO Code",
    "Intensity", "Target Name", "Target Country",
)  # fmt: skip


def country_codes(names: pa.Array, actors: ActorCodes) -> pa.Array:
    """Map ICEWS country names to CAMEO codes (unknown names kept as they are)."""
    table = actors.icews_to_cameo
    keys = pa.array(list(table), pa.string())
    values = pa.array(list(table.values()), pa.string())
    names = pc.utf8_trim_whitespace(names)
    idx = pc.index_in(names, value_set=keys)
    return pc.coalesce(pc.take(values, idx), names)


def extract(batch: pa.RecordBatch, actors: ActorCodes) -> Raw:
    c = batch.column
    n = batch.schema.names.index
    text = c(n("Event Text"))
    who = pc.binary_join_element_wise(c(n("Source Name")), c(n("Target Name")), " -> ")
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
