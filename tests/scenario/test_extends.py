"""A variant file extends a base: mappings merge by key, lists of id-ed items by id."""

from __future__ import annotations

from pathlib import Path

import pytest

from peninsula.errors import InputError
from peninsula.scenario import load_scenario

MINIMAL = Path(__file__).parent / "data" / "minimal.yaml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_variant_overrides_one_number_and_keeps_the_rest(tmp_path: Path) -> None:
    base = _write(tmp_path, "base.yaml", MINIMAL.read_text())
    variant = _write(
        tmp_path,
        "variant.yaml",
        "extends: base.yaml\n"
        "metadata: {id: variant, title: Variant, as_of: 2025-06-01}\n"
        "actors:\n"
        "  - id: B\n"
        "    capability: 90\n"
        "  - id: C\n"
        "    name: Gamma\n"
        "    capability: 10\n"
        "    stances: {deal: {position: 50, salience: 0.2}}\n",
    )
    s = load_scenario(str(variant))
    assert base.exists()
    assert s.metadata.id == "variant"
    assert s.actor_ids == ("A", "B", "C")
    assert s.actor("B").capability.value == 90
    assert s.actor("B").name == "Beta"  # kept from the base
    assert s.actor("B").stances["deal"].position.value == 80
    assert s.metadata.sources[0].id == "s1"  # sources merged from the base


def test_variant_extends_a_builtin_and_removes_an_actor(tmp_path: Path) -> None:
    variant = _write(
        tmp_path,
        "no-russia.yaml",
        "extends: korea-2025\n"
        "metadata: {id: no-russia, title: Without Russia, as_of: 2025-10-01}\n"
        "actors:\n  - {id: RUS, remove: true}\n"
        "relations: []\npolicies: []\n",
    )
    s = load_scenario(str(variant))
    assert "RUS" not in s.actor_ids
    assert len(s.actors) == 6


def test_errors_in_a_variant_point_at_the_variant(tmp_path: Path) -> None:
    _write(tmp_path, "base.yaml", MINIMAL.read_text())
    variant = _write(
        tmp_path, "bad.yaml", "extends: base.yaml\nactors:\n  - id: B\n    capability: -3\n"
    )
    with pytest.raises(InputError) as caught:
        load_scenario(str(variant))
    (problem,) = caught.value.problems
    assert problem.file == variant
    assert problem.line == 4
    assert problem.field == "actors[B].capability"


def test_errors_in_the_base_point_at_the_base(tmp_path: Path) -> None:
    base = _write(
        tmp_path, "base.yaml", MINIMAL.read_text().replace("salience: 0.5", "salience: 7")
    )
    variant = _write(tmp_path, "v.yaml", "extends: base.yaml\n")
    with pytest.raises(InputError) as caught:
        load_scenario(str(variant))
    (problem,) = caught.value.problems
    assert problem.file == base
    assert problem.line == 29


def test_circular_extends_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "extends: b.yaml\n")
    a = tmp_path / "a.yaml"
    _write(tmp_path, "b.yaml", "extends: a.yaml\n")
    with pytest.raises(InputError, match="circular"):
        load_scenario(str(a))


def test_unknown_base_is_located(tmp_path: Path) -> None:
    variant = _write(tmp_path, "v.yaml", "# variant\nextends: nowhere-2099\n")
    with pytest.raises(InputError) as caught:
        load_scenario(str(variant))
    (problem,) = caught.value.problems
    assert (problem.line, problem.field) == (2, "extends")
