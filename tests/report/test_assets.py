"""The committed plotly.js bundle: the one its README describes, matching the Python package."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

from plotly.offline import get_plotlyjs_version

ASSETS = resources.files("peninsula.report") / "assets"


def test_bundle_is_the_documented_basic_build_of_the_python_packages_version() -> None:
    bundle = (ASSETS / "plotly-basic.min.js").read_bytes()
    banner = re.search(rb"plotly\.js \(basic - minified\) v(\d+\.\d+\.\d+)", bundle[:300])
    assert banner is not None
    # plotly.py writes the figure JSON for its own plotly.js version: they must agree.
    assert banner.group(1).decode() == get_plotlyjs_version()
    readme = (ASSETS / "README.md").read_text(encoding="utf-8")
    assert f"plotly.js-basic-dist-min@{banner.group(1).decode()}" in readme
    assert hashlib.sha256(bundle).hexdigest() in readme


def test_bundle_needs_no_eval_and_no_network() -> None:
    bundle = (ASSETS / "plotly-basic.min.js").read_text(encoding="utf-8")
    # Runs under a Content-Security-Policy without 'unsafe-eval'.
    assert "eval(" not in bundle and "new Function" not in bundle
    # Inline in a <script> element: nothing in it may end the element early.
    assert "</script" not in bundle.lower()
