"""One module per report section; each exposes ``build_<section>(scenario, settings, seed)``.

A builder calls its engine's public API in one place, and returns a
:class:`~peninsula.report.content.Section`. If the engine is not built yet the builder raises
:class:`~peninsula.report.content.EngineUnavailable` and the report shows a notice instead.
"""
