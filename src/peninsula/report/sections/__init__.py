"""One module per report section; each defines ``ID``, ``TITLE`` and
``build_<section>(scenario, settings, seed)``, which calls its engine's public API plainly and
returns a :class:`~peninsula.report.content.Section`. The order lives in ``report.build``.
"""
