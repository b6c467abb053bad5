"""docs/reference/scenario-format.md lists exactly the fields of each schema model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import BaseModel

from peninsula.scenario import schema

DOC = Path(__file__).parents[2] / "docs" / "reference" / "scenario-format.md"
DOC_NAME: dict[str, str] = {}


def _documented() -> dict[str, set[str]]:
    sections: dict[str, set[str]] = {}
    current: str | None = None
    for line in DOC.read_text().splitlines():
        heading = re.match(r"^### (\w+)$", line)
        if heading:
            current = DOC_NAME.get(heading.group(1), heading.group(1))
            sections[current] = set()
        row = re.match(r"^\| `(\w+)` \|", line)
        if row and current is not None:
            sections[current].add(row.group(1))
    return sections


def _schema_models() -> dict[str, type[BaseModel]]:
    return {
        name: value
        for name, value in vars(schema).items()
        if isinstance(value, type)
        and issubclass(value, BaseModel)
        and value.__module__ == schema.__name__
        and name != "_Strict"
    }


def test_every_schema_model_is_documented() -> None:
    assert set(_schema_models()) == set(_documented())


@pytest.mark.parametrize("name", sorted(_schema_models()))
def test_documented_fields_match_the_schema(name: str) -> None:
    assert _documented()[name] == set(_schema_models()[name].model_fields)
