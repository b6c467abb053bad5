"""The documented plain CSV event format (see docs/reference/event-formats.md).

Comma-separated, UTF-8, RFC 4180 quoting, header row exactly
``date,source,target,cameo_code,goldstein,mentions,description,source_url`` (the layout of
the bundled ``us_dprk_history.csv``). ``goldstein`` may be empty (the codebook weight is
used), ``mentions`` may be empty (1). Values may not contain line breaks.
"""

from __future__ import annotations

import pyarrow as pa

from peninsula.events.codebook import ActorCodes
from peninsula.events.readers.base import Layout, Raw

NAME = "csv"

COLUMNS = (
    "date", "source", "target", "cameo_code", "goldstein", "mentions", "description",
    "source_url",
)  # fmt: skip


def extract(batch: pa.RecordBatch, actors: ActorCodes) -> Raw:
    c = batch.column
    n = batch.schema.names.index
    return Raw(
        date=c(n("date")),
        source=c(n("source")),
        target=c(n("target")),
        code=c(n("cameo_code")),
        goldstein=c(n("goldstein")),
        mentions=c(n("mentions")),
        description=c(n("description")),
        source_url=c(n("source_url")),
        event_id=None,
    )


LAYOUT = Layout(
    name=NAME,
    delimiter=",",
    quoted=True,
    header=True,
    columns={8: COLUMNS},
    needed=COLUMNS,
    date_format="%Y-%m-%d",
    extract=extract,
)
