"""docs/explanation/safety.md names tests for its promises: every one it names must exist.

A name is ``tests/area/test_x.py::test_y``, a bare ``test_x.py::test_y`` (some test file of
that name), or ``::test_y`` (the file named just before).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "explanation" / "safety.md"


def _defines(path: Path, name: str) -> bool:
    return re.search(rf"^def {re.escape(name)}\b", path.read_text(), flags=re.M) is not None


def test_every_test_named_on_the_safety_page_exists() -> None:
    text = PAGE.read_text(encoding="utf-8")
    current: list[Path] = []
    named = 0
    for token in re.findall(r"`([^`]+)`", text):
        path, sep, test = token.partition("::")
        if path.startswith("tests/"):
            current = [ROOT / path]
            assert current[0].is_file(), token
        elif path.endswith(".py"):
            current = sorted((ROOT / "tests").rglob(path))
            assert current, token
        if not sep:
            continue
        assert any(_defines(p, test) for p in current), token
        named += 1
    assert named >= 40


def test_the_safety_page_is_in_the_index() -> None:
    assert "explanation/safety.md" in (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
