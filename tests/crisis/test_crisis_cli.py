"""The ``simulate`` and ``crisis-fit`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from peninsula.cli import main


def _run(argv: list[str]) -> int:
    try:
        main(argv)
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def test_simulate_prints_table_and_writes_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fan.png"
    code = _run(["simulate", "korea-2018", "--paths", "200", "--horizon", "6", "--plot", str(out)])
    assert code == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    text = capsys.readouterr().out
    assert "dual-" in text and "P(crisis)" in text


def test_simulate_html_plot(tmp_path: Path) -> None:
    out = tmp_path / "fan.html"
    assert (
        _run(
            [
                "simulate",
                "korea-2025",
                "-p",
                "status-quo",
                "--paths",
                "50",
                "--horizon",
                "3",
                "--plot",
                str(out),
            ]
        )
        == 0
    )
    assert "plotly" in out.read_text()


def test_bad_policy_and_bad_plot_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["simulate", "korea-2025", "-p", "nope", "--paths", "10"]) == 2
    assert "unknown policy" in capsys.readouterr().err
    assert (
        _run(
            [
                "simulate",
                "korea-2025",
                "--paths",
                "10",
                "--horizon",
                "2",
                "--plot",
                str(tmp_path / "x.gif"),
            ]
        )
        == 2
    )


def test_crisis_fit_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["crisis-fit"]) == 0
    text = capsys.readouterr().out
    assert "Coefficients" in text and "Goodness of fit" in text


def test_missing_scenario_and_bad_executor_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["simulate"]) == 2
    assert "SCENARIO" in capsys.readouterr().err
    assert _run(["simulate", "korea-2018", "--paths", "5", "--executor", "bogus"]) == 2


def test_crisis_data_check_flags_months_against_a_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A history holding only the 2019-05-04 launch: every other launch month disagrees, and
    # the command exits 1 listing 2019-05 (table 2 dates, history 1).
    history = tmp_path / "history.csv"
    history.write_text(
        "date,source,target,cameo_code,goldstein,mentions,description,source_url\n"
        "2019-05-04,PRK,KOR,150,,1,short-range missiles fired from Hodo,https://example.org\n"
    )
    assert _run(["crisis-data", "check", "--history", str(history)]) == 1
    out = capsys.readouterr().out
    assert "2019-05" in out and "2019-05-09" in out


def test_crisis_data_update_writes_where_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "test.en.json"
    export.write_text(
        '{"timeBins": [{"data": [{"date": "2026-01-03", "time": "22:54 (UTC)", '
        '"missile": "hwasong-11e"}]}]}'
    )
    out = tmp_path / "monthly.csv"
    assert (
        _run(["crisis-data", "update", str(export), "--through", "2026-03", "--out", str(out)]) == 0
    )
    rows = {line.split(",")[0]: line for line in out.read_text().splitlines()}
    assert rows["2026-01"].startswith("2026-01,1,1,0,")  # 22:54 UTC on the 3rd = the 4th in Korea
    assert "2026-01-04/B" in rows["2026-01"]


def test_crisis_data_update_rejects_a_non_export(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"rows": []}')
    assert _run(["crisis-data", "update", str(bad), "--out", str(tmp_path / "x.csv")]) == 2


def test_crisis_effects_prints_estimates_and_judgement(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["crisis-effects"]) == 0
    out = capsys.readouterr().out
    assert "talks" in out and "estimated" in out and "judgement" in out


def test_simulate_starts_at_the_scenarios_date(capsys: pytest.CaptureFixture[str]) -> None:
    # korea-2025 is dated 2025-09-30: simulation and the ensemble forecast start there.
    assert (
        _run(["simulate", "korea-2025", "-p", "status-quo", "--paths", "50", "--horizon", "2"]) == 0
    )
    out = capsys.readouterr().out
    # the policy table's title: the simulated months after the as_of month
    assert "the 2 months after 2025-09 (2025-10 to 2025-11), 50 paths" in " ".join(out.split())
    assert "Status-quo forecast from 2025-10" in out  # the ensemble: the month after
    # the model's P(nuclear test) is shown beside labelled base rates: with 1 test in the 105
    # months 2017-01..2025-09, the Jeffreys predictive over 2 months is 1 − (105/107)^1.5 = 2.8%
    flat = " ".join(out.split())
    assert "Jeffreys base rate, 1 test(s) in 105 months" in flat and "2.8%" in flat
    # months simulated that the data have since recorded (2025-10: 1 B + 1 C; 2025-11: 1 B)
    assert "2025-10 to 2025-11 (2 of the 2 simulated months), with 3 ballistic or cruise" in flat
    assert "observed 2" in flat  # the ensemble's next-month cell: 2 launch events in 2025-10
