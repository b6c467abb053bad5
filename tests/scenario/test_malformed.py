"""Every malformed scenario file gets one clear message naming file, line and field.

The files live in ``malformed/`` (one problem each, derived from ``data/minimal.yaml``);
``malformed/expected.json`` states, per file, the line, the field path and a fragment of the
message a user must see. The CLI must exit with status 2 and print no traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peninsula.cli import main
from peninsula.errors import InputError, NotFoundError
from peninsula.scenario.loader import load_scenario

HERE = Path(__file__).parent
EXPECTED = json.loads((HERE / "malformed" / "expected.json").read_text())


def test_minimal_fixture_is_valid() -> None:
    scenario = load_scenario(str(HERE / "data" / "minimal.yaml"))
    assert scenario.actor_ids == ("A", "B")


def test_there_are_at_least_twenty_malformed_files() -> None:
    assert len(EXPECTED) >= 20


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_is_located(name: str) -> None:
    path = HERE / "malformed" / f"{name}.yaml"
    expect = EXPECTED[name]
    with pytest.raises(InputError) as caught:
        load_scenario(str(path))
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.file == path
    assert expect["message"] in problem.message, str(problem)
    if expect["line"] is not None:
        assert problem.line == expect["line"], str(problem)
    if expect["field"] is not None:
        assert problem.field == expect["field"], str(problem)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize("name", sorted(EXPECTED)[:6] + ["30_alias_bomb"])
def test_cli_validate_exits_2_without_traceback(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = HERE / "malformed" / f"{name}.yaml"
    with pytest.raises(SystemExit) as done:
        main(["validate", str(path)])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert path.name in err.replace("\n", "")


def test_unknown_scenario_name_suggests_a_builtin() -> None:
    with pytest.raises(NotFoundError, match="korea-2025"):
        load_scenario("korea-2052")


def test_missing_file_is_a_clear_error() -> None:
    with pytest.raises(NotFoundError, match="no such scenario file"):
        load_scenario("does/not/exist.yaml")


def test_huge_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 600_000)
    with pytest.raises(InputError, match="limit"):
        load_scenario(str(big))


def test_several_problems_are_all_reported(tmp_path: Path) -> None:
    text = (HERE / "data" / "minimal.yaml").read_text()
    text = text.replace("capability: 40", "capability: -5").replace("salience: 0.5", "salience: 2")
    path = tmp_path / "two.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_scenario(str(path))
    assert len(caught.value.problems) == 2
