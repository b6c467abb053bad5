"""Shared fixtures for the events tests: paths of the hand-written files in the real formats."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    """A private copy of the fixture directory (tests may modify or zip files)."""
    out = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, out)
    return out


@pytest.fixture
def gdelt_zip(fixtures: Path) -> Path:
    """The GDELT 1.0 sample zipped as GDELT distributes it (one member, deflate)."""
    out = fixtures / "20170808.export.CSV.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(fixtures / "gdelt1_sample.CSV", "20170808.export.CSV")
    return out
