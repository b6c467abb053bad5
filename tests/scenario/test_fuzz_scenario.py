"""Fuzzing the scenario loader (issue 13): random YAML documents and mutated built-ins.

The promise under test, for any bytes in a scenario file: the loader returns a valid
``Scenario`` or raises a ``PeninsulaError`` whose problems each name the file (and, where the
input has lines, a line inside it); never any other exception (no traceback), never a message
that quotes a long stretch of the file. Through the CLI, ``validate`` exits 0 or 2.

Example counts are bounded (``max_examples``) so the whole module runs in about 20 s; each
test stands for one class of hostile input from the issue (items 1-6). For a deep run, set
``PENINSULA_FUZZ_SCALE`` (e.g. 20 multiplies every count by 20).
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from clirun import run_cli
from peninsula.errors import InputError, PeninsulaError
from peninsula.scenario import load_scenario
from peninsula.scenario.loader import builtin_dir
from peninsula.scenario.schema import MAX_MAGNITUDE, Scenario
from peninsula.scenario.yamlio import MAX_DEPTH

SCALE = int(os.environ.get("PENINSULA_FUZZ_SCALE", "1"))  # e.g. 20 for a deep run on demand
FAST = settings(
    max_examples=60 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
KOREA = (builtin_dir() / "korea-2025.yaml").read_text(encoding="utf-8")
MINIMAL = (Path(__file__).parent / "data" / "minimal.yaml").read_text(encoding="utf-8")

HOSTILE_SCALARS = [
    "1e308", "1.0e13", "-1e309", ".nan", ".inf", "true", "no", '"100"', "'0.5'", "~", "null",
    "2025-13-45", "2025-02-30", "0x1F", "0o17", "1_000", "[", "]", "{", "&a", "*a", "*nope",
    "!!python/object/apply:os.system ['true']", "!!binary aGVsbG8=", "!custom x", "<<: *a",
    "|", ">", "'unterminated", '"\\x00"', "\t", "- - - -", "? complex", "@reserved", "`tick`",
    "%TAG", "---", "...", "99999999999999999999999999999999", "-0", "+.5e-3", "1e3",
]  # fmt: skip


_BASE: list[Path] = []  # a pytest temporary folder (pytest keeps the last three runs only)


@pytest.fixture(autouse=True, scope="module")
def _scratch(tmp_path_factory: pytest.TempPathFactory) -> None:
    _BASE[:] = [tmp_path_factory.mktemp("fuzz")]


def _load(text: str | bytes) -> tuple[Scenario | None, PeninsulaError | None, Path]:
    """Load ``text`` from a private file; any exception but a PeninsulaError propagates."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-scenario-", dir=_BASE[0]))
    path = folder / "s.yaml"
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    try:
        return load_scenario(str(path)), None, path
    except PeninsulaError as error:
        return None, error, path


def _breaks(text: str) -> int:
    """Line breaks as YAML counts them: LF, CRLF, a lone CR, and NEL, LS, PS (YAML 1.1)."""
    return len(re.findall("\r\n|[\r\n\x85\u2028\u2029]", text))


def _check_located(error: PeninsulaError, path: Path, n_lines: int) -> None:
    assert isinstance(error, InputError), repr(error)
    for problem in error.problems:
        assert problem.file is not None, str(problem)
        if problem.file == path and problem.line is not None:
            assert 1 <= problem.line <= n_lines + 1, str(problem)
        assert len(problem.message) < 400, problem.message  # a message, not an echo


# --- random YAML documents ----------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.dates().map(str),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(sorted(Scenario.model_fields)), st.text(max_size=8)),
            inner,
            max_size=5,
        ),
    ),
    max_leaves=30,
)


@FAST
@given(documents)
def test_any_yaml_document_loads_or_is_located(document: object) -> None:
    text = yaml.safe_dump(document, allow_unicode=True)
    _scenario, error, path = _load(text)
    if error is not None:
        _check_located(error, path, _breaks(text))


@FAST
@given(st.text(max_size=300))
def test_any_text_loads_or_is_located(text: str) -> None:
    scenario, error, path = _load(text)
    assert scenario is None  # random text is never a whole scenario
    assert error is not None
    _check_located(error, path, _breaks(text))


@settings(max_examples=40 * SCALE, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_are_located(data: bytes) -> None:
    _, error, path = _load(data)
    assert error is not None
    _check_located(error, path, _breaks(data.decode("utf-8", "replace")))


# --- mutated built-ins ----------------------------------------------------------------------------
@st.composite
def mutated(draw: st.DrawFn, base: str) -> str:
    lines = base.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "delete", "duplicate", "insert", "truncate"]))
        line = lines[i]
        if kind == "value" and ":" in line:
            key = line.split(":", 1)[0]
            lines[i] = f"{key}: {draw(st.sampled_from(HOSTILE_SCALARS))}"
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "insert":
            pos = draw(st.integers(0, len(line)))
            lines[i] = line[:pos] + draw(st.text(min_size=1, max_size=3)) + line[pos:]
        else:
            lines[i] = line[: draw(st.integers(0, len(line)))]
        if not lines:
            break
    return "\n".join(lines) + "\n"


@FAST
@given(mutated(KOREA))
def test_mutated_builtin_loads_or_is_located(text: str) -> None:
    _, error, path = _load(text)
    if error is not None:
        _check_located(error, path, _breaks(text))


@settings(max_examples=15 * SCALE, deadline=None)
@given(mutated(MINIMAL))
def test_validate_cli_exits_0_or_2_without_traceback(text: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-cli-", dir=_BASE[0]))
    path = folder / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context():
        capture = _Capture()
        code, _, err = run_cli(["validate", str(path)], capture)  # type: ignore[arg-type]
    assert code in (0, 2), err
    assert "Traceback" not in err
    if code == 2:
        assert "s.yaml" in err


class _Capture:
    """The part of pytest's ``capsys`` that ``run_cli`` uses, for use inside ``@given``."""

    def __init__(self) -> None:
        import contextlib
        import io

        self._out, self._err = io.StringIO(), io.StringIO()
        self._stack = contextlib.ExitStack()
        self._stack.enter_context(contextlib.redirect_stdout(self._out))
        self._stack.enter_context(contextlib.redirect_stderr(self._err))

    def readouterr(self) -> _Captured:
        self._stack.close()
        return _Captured(self._out.getvalue(), self._err.getvalue())


class _Captured:
    def __init__(self, out: str, err: str) -> None:
        self.out, self.err = out, err


# --- the classes of the numbered defects ----------------------------------------------------------
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.text(alphabet="0123456789.e+-", min_size=1, max_size=8),
)


@FAST
@given(numbers)
def test_capability_is_accepted_iff_a_finite_non_negative_number_within_range(
    value: object,
) -> None:  # items 5: strict numbers
    written = f'"{value}"' if isinstance(value, str) else yaml.safe_dump(value).strip()
    text = MINIMAL.replace("capability: 40", f"capability: {written.removesuffix('...')}")
    scenario, error, _path = _load(text)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    ok = is_number and math.isfinite(float(value)) and 0 <= float(value) <= MAX_MAGNITUDE  # type: ignore[arg-type]
    if ok:
        assert scenario is not None, str(error)
        assert scenario.actor("B").capability.value == float(value)  # type: ignore[arg-type]
    else:
        assert error is not None
        assert any("capability" in (p.field or "") for p in error.problems), str(error)


@settings(max_examples=30 * SCALE, deadline=None)
@given(st.integers(1, 400), st.sampled_from(["[", "{a: ", "- "]))
def test_any_nesting_depth_parses_or_is_refused_at_the_limit(depth: int, opener: str) -> None:
    if opener == "- ":
        body = "".join("  " * i + "-\n" for i in range(depth))  # block sequences
    else:
        body = "x: " + opener * depth + "\n"
    _, error, _path = _load(body)
    assert error is not None  # never a scenario; the point is: no RecursionError
    deep = any("deeper than" in p.message for p in error.problems)  # type: ignore[attr-defined]
    if depth + 2 <= MAX_DEPTH:
        assert not deep


@FAST
@given(st.integers(0, 0x10FFFF), st.integers(0, 200))
def test_any_character_anywhere_loads_or_is_located(code: int, where: int) -> None:  # item 3
    assume(not 0xD800 <= code <= 0xDFFF)  # surrogates cannot be written as UTF-8
    char = chr(code)
    position = min(where, len(MINIMAL))
    text = MINIMAL[:position] + char + MINIMAL[position:]
    _scenario, error, path = _load(text)
    if error is not None:
        _check_located(error, path, _breaks(text))
        if code < 32 and char not in "\t\n\r":
            line = _breaks(text[:position]) + 1
            assert [p.line for p in error.problems] == [line]  # type: ignore[attr-defined]
            assert f"U+{code:04X}" in str(error)


@settings(max_examples=25 * SCALE, deadline=None)
@given(st.lists(st.sampled_from(["..", "etc", "passwd", "sub", "base.yaml", "/", "~"]), max_size=6))
def test_extends_never_leaves_the_tree_or_echoes(parts: list[str]) -> None:  # item 6
    folder = Path(tempfile.mkdtemp(prefix="fuzz-extends-", dir=_BASE[0]))
    (folder / "tree" / "sub").mkdir(parents=True)
    (folder / "secret.yaml").write_text("token: s3cr3t-value-never-shown\n")
    (folder / "tree" / "sub" / "base.yaml").write_text(MINIMAL)
    ref = "/".join(parts) or "."
    variant = folder / "tree" / "v.yaml"
    variant.write_text(f"extends: '{ref}'\n")
    _, error, _ = _load_path(variant)
    if error is not None:
        assert "s3cr3t" not in str(error)
    target = (variant.parent / ref).resolve() if not ref.startswith("/") else Path(ref)
    if error is None:
        assert target.is_relative_to((folder / "tree").resolve()) or ref.startswith("korea")


def _load_path(path: Path) -> tuple[Scenario | None, PeninsulaError | None, Path]:
    try:
        return load_scenario(str(path)), None, path
    except PeninsulaError as error:
        return None, error, path
