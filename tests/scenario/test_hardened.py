"""Hostile and odd scenario files (issue 13, items 1-6): one located line, exit 2, no traceback.

Each test is the regression test of one numbered defect; ``test_fuzz_scenario.py`` covers the
class of inputs each one stands for with hypothesis.
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import pytest

from clirun import run_cli
from peninsula.errors import InputError
from peninsula.scenario import load_scenario
from peninsula.scenario.yamlio import MAX_DEPTH, MAX_FILE_BYTES

MINIMAL = Path(__file__).parent / "data" / "minimal.yaml"


def _variant(tmp_path: Path, old: str, new: str, name: str = "s.yaml") -> Path:
    text = MINIMAL.read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def _one_problem(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_scenario(str(path))
    assert len(caught.value.problems) == 1, str(caught.value)
    return str(caught.value.problems[0])


# --- 1: an impossible date ------------------------------------------------------------------
@pytest.mark.parametrize("date", ["2025-13-45", "2025-02-30", "2025-00-10"])
def test_impossible_date_is_located(tmp_path: Path, date: str) -> None:
    path = _variant(tmp_path, "as_of: 2025-01-01", f"as_of: {date}")
    message = _one_problem(path)
    assert message.startswith(f"{path}:6: ")
    assert "date" in message


def test_impossible_date_exits_2_in_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _variant(tmp_path, "as_of: 2025-01-01", "as_of: 2025-13-45")
    code, _, err = run_cli(["validate", str(path)], capsys)
    assert code == 2
    assert "Traceback" not in err and f"{path.name}:6" in err.replace("\n", "")


# --- 2: deep nesting --------------------------------------------------------------------------
@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_is_refused_without_recursion(tmp_path: Path, opener: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("metadata: " + opener * 5000 + "\n")  # 10 kB, far past MAX_DEPTH
    message = _one_problem(path)
    assert f"deeper than {MAX_DEPTH}" in message
    assert message.startswith(f"{path}:1: ")


def test_nesting_just_inside_the_limit_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    # depth 1 is the top mapping; the list brackets add MAX_DEPTH - 2 more levels
    path.write_text("x: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2) + "\n")
    message = _one_problem(path)  # not a scenario, but parsed: the schema complains
    assert "deeper" not in message


# --- 3: control characters --------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\ufffe"])
def test_control_character_is_located_without_echo(tmp_path: Path, char: str) -> None:
    path = _variant(tmp_path, "name: Beta", f"name: Be{char}ta")
    message = _one_problem(path)
    assert message.startswith(f"{path}:24: ")  # the line of "name: Beta"
    assert f"U+{ord(char):04X}" in message
    assert char not in message


# --- 4: a hard byte limit while reading -------------------------------------------------------
def test_dev_zero_is_refused_at_the_limit() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(InputError, match="limit"):
        load_scenario("/dev/zero")


def test_endless_fifo_is_refused_at_the_limit(tmp_path: Path) -> None:
    fifo = tmp_path / "endless.yaml"
    os.mkfifo(fifo)
    stop = threading.Event()

    def feed() -> None:  # writes until the reader closes its end
        try:
            with open(fifo, "wb") as out:
                block = b"# padding\n" * 10_000
                while not stop.is_set():
                    out.write(block)
        except (BrokenPipeError, OSError):
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        with pytest.raises(InputError, match=f"{MAX_FILE_BYTES:,}"):
            load_scenario(str(fifo))
    finally:
        stop.set()
        writer.join(timeout=5)


# --- 5: strict numbers ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("capability: 40", "capability: 1e308", "actors[B].capability"),
        ("capability: 40", "capability: 1.0e13", "actors[B].capability"),
        ("capability: 40", "capability: true", "actors[B].capability"),
        ("capability: 40", 'capability: "100"', "actors[B].capability"),
        ("capability: 40", "capability: {value: true}", "actors[B].capability.value"),
        ("capability: 40", 'capability: {value: "40"}', "actors[B].capability.value"),
        ("capability: 40", "capability: .nan", "actors[B].capability"),
        ("capability: 40", "capability: -.inf", "actors[B].capability"),
        ("salience: 0.5", "salience: yes", "actors[B].stances.deal.salience"),
        ("{at: 100, label: all}", '{at: "100", label: all}', "issues[deal].scale.anchors[1].at"),
        ("[70, 90]", "[70, 1e309]", "actors[B].stances.deal.position.uncertainty"),
        ("[70, 90]", "[false, 90]", "actors[B].stances.deal.position.uncertainty"),
    ],
)
def test_only_real_finite_numbers_in_range(tmp_path: Path, old: str, new: str, field: str) -> None:
    path = _variant(tmp_path, old, new)
    message = _one_problem(path)
    assert f" {field}" in message or f": {field}" in message, message


def test_a_large_but_allowed_capability_forecasts_without_overflow(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _variant(tmp_path, "capability: 40", "capability: 1.0e12")
    load_scenario(str(path))  # inside the limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning fails the test
        code, out, err = run_cli(["forecast", str(path)], capsys)
    assert code == 0, err
    assert "inf" not in out and "nan" not in out


# --- 6: extends is confined, and never echoes a foreign file ----------------------------------
SECRET = "root:$6$secret-hash-line:19000:0:99999:7:::\n" * 25


@pytest.mark.parametrize("target", ["outside/secret.yaml", "outside/shadow"])
def test_extends_outside_the_scenario_tree_is_refused(tmp_path: Path, target: str) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / target).write_text(SECRET)
    (tmp_path / "mine").mkdir()
    variant = tmp_path / "mine" / "v.yaml"
    variant.write_text(f"extends: ../{target}\nmetadata: {{id: v, title: V, as_of: 2025-01-01}}\n")
    message = _one_problem(variant)
    assert message.startswith(f"{variant}:1: extends: ")
    assert "secret" not in message.replace("secret.yaml", "")


def test_extends_absolute_system_path_is_refused_without_echo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    variant = tmp_path / "v.yaml"
    variant.write_text("extends: /etc/passwd\n")
    code, out, err = run_cli(["validate", str(variant)], capsys)
    assert code == 2
    assert "root:" not in out + err and "Traceback" not in err
    assert "extends" in err


def test_extends_a_non_scenario_file_inside_the_tree_echoes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.yaml").write_text(SECRET)  # YAML-parsable text, but not a scenario
    (tmp_path / "bad.yaml").write_text("key: [unclosed\n" + SECRET)
    for base in ("notes.yaml", "bad.yaml"):
        variant = tmp_path / f"v-{base}"
        variant.write_text(f"extends: {base}\n")
        code, out, err = run_cli(["validate", str(variant)], capsys)
        assert code == 2
        assert "secret-hash" not in out + err, err
        assert "Traceback" not in err


def test_extends_within_the_tree_and_builtins_still_work(tmp_path: Path) -> None:
    (tmp_path / "bases").mkdir()
    (tmp_path / "bases" / "base.yaml").write_text(MINIMAL.read_text())
    inner = tmp_path / "v.yaml"
    inner.write_text("extends: bases/base.yaml\nmetadata: {id: v, title: V, as_of: 2025-01-01}\n")
    assert load_scenario(str(inner)).metadata.id == "v"
    builtin = tmp_path / "b.yaml"
    builtin.write_text("extends: korea-2025\nmetadata: {id: b, title: B, as_of: 2025-01-01}\n")
    assert load_scenario(str(builtin)).metadata.id == "b"
