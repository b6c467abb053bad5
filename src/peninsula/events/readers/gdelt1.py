"""GDELT 1.0 event files (daily ``YYYYMMDD.export.CSV(.zip)`` and the historical backfiles).

Tab-separated, no header, no quoting. Column order from the GDELT 1.0 Event Codebook
(Leetaru & Schrodt 2013, "GDELT: Global Data on Events, Location and Tone"; codebook V1.03):
57 columns in the historical backfiles (up to DATEADDED), 58 in daily files since
2013-04-01 (SOURCEURL appended). Source/target are the actors' CAMEO country codes
(``Actor1CountryCode``), falling back to the full actor code (e.g. ``IGOUNO``) when the
country is blank.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from peninsula.events.codebook import ActorCodes
from peninsula.events.readers.base import Layout, Raw

NAME = "gdelt1"

_ACTOR = (
    "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
    "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
)  # fmt: skip
_GEO1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")

EVENT_HEAD = (
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *(f"Actor1{a}" for a in _ACTOR), *(f"Actor2{a}" for a in _ACTOR),
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
)  # fmt: skip
COLUMNS_57 = (
    *EVENT_HEAD,
    *(f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in _GEO1),
    "DATEADDED",
)
COLUMNS_58 = (*COLUMNS_57, "SOURCEURL")
assert len(COLUMNS_57) == 57 and len(COLUMNS_58) == 58

NEEDED = (
    "GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor1CountryCode",
    "Actor2Code", "Actor2CountryCode", "EventCode", "QuadClass", "GoldsteinScale",
    "NumMentions", "SOURCEURL",
)  # fmt: skip


def actor(code: pa.Array, country: pa.Array) -> pa.Array:
    """The actor's country code, or its full CAMEO code when it has no country."""
    return pc.coalesce(country, code)


def extract(batch: pa.RecordBatch, actors: ActorCodes) -> Raw:
    names = batch.schema.names
    c = batch.column
    url = c(names.index("SOURCEURL")) if "SOURCEURL" in names else None
    return Raw(
        date=c(names.index("SQLDATE")),
        source=actor(c(names.index("Actor1Code")), c(names.index("Actor1CountryCode"))),
        target=actor(c(names.index("Actor2Code")), c(names.index("Actor2CountryCode"))),
        code=c(names.index("EventCode")),
        goldstein=c(names.index("GoldsteinScale")),
        mentions=c(names.index("NumMentions")),
        # No free-text description in GDELT; building "Actor1Name -> Actor2Name" per row
        # costs ~20% of ingest time, so it is left empty (the CAMEO label stands in).
        description=None,
        source_url=url,
        event_id=c(names.index("GLOBALEVENTID")),
        quad_class=c(names.index("QuadClass")),
    )


LAYOUT = Layout(
    name=NAME,
    delimiter="\t",
    quoted=False,
    header=False,
    columns={57: COLUMNS_57, 58: COLUMNS_58},
    needed=NEEDED,
    date_format="%Y%m%d",
    extract=extract,
    min_code_digits=3,
    trim=False,
)
