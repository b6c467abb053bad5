"""Test-suite settings shared by every package's tests.

Under CI (``CI`` set, as `.ci/run` is run) hypothesis draws its examples from a fixed seed, so a
submission's verdict does not depend on luck: a counterexample found locally is still found by
a developer's randomised runs, and is then pinned with ``@example``. Local runs stay random,
which is where new counterexamples are found.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
