"""GDELT 2.0 event files (``YYYYMMDDHHMMSS.export.CSV(.zip)``, every 15 minutes).

Tab-separated, 61 columns, no header (GDELT 2.0 Event Codebook V2.0, 2015): the GDELT 1.0
event columns, each of the three geographies gains an ``ADM2Code`` after ``ADM1Code``,
``DATEADDED`` becomes YYYYMMDDHHMMSS and ``SOURCEURL`` is last. Same actor convention as
:mod:`peninsula.events.readers.gdelt1`.
"""

from __future__ import annotations

from peninsula.events.readers.base import Layout
from peninsula.events.readers.gdelt1 import EVENT_HEAD, NEEDED, extract

NAME = "gdelt2"

_GEO2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
COLUMNS_61 = (
    *EVENT_HEAD,
    *(f"{g}Geo_{f}" for g in ("Actor1", "Actor2", "Action") for f in _GEO2),
    "DATEADDED",
    "SOURCEURL",
)
assert len(COLUMNS_61) == 61

LAYOUT = Layout(
    name=NAME,
    delimiter="\t",
    quoted=False,
    header=False,
    columns={61: COLUMNS_61},
    needed=NEEDED,
    date_format="%Y%m%d",
    extract=extract,
    min_code_digits=3,
    trim=False,
)
