"""The one atomic-write helper: permissions follow the umask, failures leave nothing behind."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from peninsula.errors import PeninsulaError
from peninsula.files import atomic_path, check_writable, write_json, write_text


def test_written_file_has_umask_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "out.txt"
        write_text(target, "hello")
    finally:
        os.umask(old)
    assert target.read_text(encoding="utf-8") == "hello"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_failure_leaves_destination_and_folder_untouched(tmp_path: Path) -> None:
    target = tmp_path / "keep.json"
    target.write_text("original", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("interrupted")
    assert target.read_text(encoding="utf-8") == "original"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.json"]


def test_json_round_trip_and_parent_created(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "x.json"
    write_json(target, {"k": [1, 2]})
    assert target.read_text(encoding="utf-8") == '{\n  "k": [\n    1,\n    2\n  ]\n}\n'


def test_check_writable_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(PeninsulaError, match="is a directory"):
        check_writable(tmp_path)
    assert check_writable(tmp_path / "new" / "file.html") == tmp_path / "new" / "file.html"


def test_check_writable_refuses_a_file_as_parent(tmp_path: Path) -> None:
    blocker = tmp_path / "plain"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(PeninsulaError, match="not a directory"):
        check_writable(blocker / "out.json")
