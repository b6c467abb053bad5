"""Render a :class:`Report`'s numbers as JSON: every section's numbers plus provenance.

Provenance (scenario id, version and content hash, seed, runs, package version) makes a result
reproducible and comparable; no timestamp is written, so the same inputs give the same bytes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from peninsula.report.content import Report


def jsonable(value: Any) -> Any:
    """Plain JSON types: numpy scalars and arrays unwrapped, NaN and infinities as null."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def report_numbers(report: Report) -> dict[str, Any]:
    return {
        "format": "peninsula-report/3",
        **jsonable(report.meta),
        "sections": {
            s.id: {
                "title": s.title,
                "numbers": jsonable(s.numbers),
            }
            for s in report.sections
        },
        "sources": [
            {
                "n": i,
                "id": s.id,
                "title": s.title,
                "publisher": s.publisher or None,
                "date": s.date or None,
                "url": s.url or None,
            }
            for i, s in enumerate(report.sources, start=1)
        ],
        "sources_omitted": [{"id": i, "reason": why} for i, why in report.omitted_sources],
    }


def render_json(report: Report) -> str:
    return json.dumps(report_numbers(report), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
