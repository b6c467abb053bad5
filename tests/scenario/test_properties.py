"""Property tests of validation: a number is accepted exactly when it lies in its range."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from peninsula.errors import InputError
from peninsula.scenario import load_scenario

MINIMAL = yaml.safe_load((Path(__file__).parent / "data" / "minimal.yaml").read_text())


def _load(tmp_path: Path, data: dict[str, object]) -> InputError | None:
    path = tmp_path / "generated.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        load_scenario(str(path))
    except InputError as error:
        return error
    return None


finite = st.floats(-1000, 1000, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(position=finite, salience=finite)
def test_stance_is_valid_iff_inside_its_ranges(
    tmp_path_factory: object, position: float, salience: float
) -> None:
    tmp_path = tmp_path_factory.mktemp("p")  # type: ignore[attr-defined]
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["actors"][0]["stances"]["deal"] = {"position": position, "salience": salience}
    error = _load(tmp_path, data)
    should_pass = 0 <= position <= 100 and 0 <= salience <= 1
    assert (error is None) == should_pass
    if error is not None:
        fields = {p.field for p in error.problems}
        expected = set()
        if not 0 <= position <= 100:
            expected.add("actors[A].stances.deal.position")
        if not 0 <= salience <= 1:
            expected.add("actors[A].stances.deal.salience")
        assert fields == expected


@settings(max_examples=25, deadline=None)
@given(low=finite, high=finite)
def test_uncertainty_range_must_be_ordered_and_contain_the_value(
    tmp_path_factory: object, low: float, high: float
) -> None:
    tmp_path = tmp_path_factory.mktemp("u")  # type: ignore[attr-defined]
    data = yaml.safe_load(yaml.safe_dump(MINIMAL))
    data["actors"][0]["capability"] = {"value": 60, "uncertainty": [low, high]}
    error = _load(tmp_path, data)
    assert (error is None) == (0 <= low <= 60 <= high)
