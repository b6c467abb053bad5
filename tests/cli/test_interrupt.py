"""Ctrl-C is a failure: an interrupted command must not exit 0 as if it had succeeded."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import pytest

from peninsula.cli import main


def test_interrupt_inside_a_command_exits_130(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """typer turns KeyboardInterrupt into an exit code of 130 and, outside standalone mode,
    returns it instead of raising; ``main`` must pass it on (before the fix it exited 0)."""
    import peninsula.scenario.loader as loader

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(loader, "load_scenario", interrupted)
    with pytest.raises(SystemExit) as done:
        main(["validate", "korea-2025"])
    assert done.value.code == 130
    assert "interrupted" in capsys.readouterr().err


def test_success_still_exits_0(capsys) -> None:
    main(["validate", "korea-2025"])  # returns normally: no SystemExit on success
    assert "korea-2025" in capsys.readouterr().out


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_during_a_report_exits_130_and_writes_nothing(tmp_path) -> None:
    """A real SIGINT in the middle of ``peninsula report`` (the figure worker running too)."""
    out = tmp_path / "rep"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from peninsula.cli import main; main()",
            "report",
            "korea-2025",
            "--out",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # bash starts background jobs with SIGINT ignored, and Python keeps an inherited
        # SIG_IGN; restore the default so the child sees Ctrl-C as a terminal would send it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(3)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    if child.returncode == 0:  # finished before the signal on a very fast machine
        pytest.skip("the report finished within 3 s")
    assert child.returncode == 130, err
    assert "Traceback" not in err
    assert not (out / "report.html").exists()
