"""Relationship tracker: event data (GDELT 1.0/2.0, ICEWS, CSV) into DuckDB, dyad measures.

- :mod:`peninsula.events.readers` — streaming readers, one module per format;
- :mod:`peninsula.events.store` — the embedded DuckDB store (transactional, idempotent);
- :mod:`peninsula.events.history` — the bundled, sourced US–DPRK history;
- :mod:`peninsula.events.analysis` — dyad series, change points, peak annotation (pure).
"""
