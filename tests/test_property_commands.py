"""The input space is the test space: every command on every workbook state an accountant can produce.

For each drawn :class:`~workbook_states.WorkbookState` (a real .xlsx), every command of the ``perfeval``
command line runs in-process through :func:`perfeval.cli.main` and must

- exit 0, 1 or 2 — never 3 (internal error) and never a traceback or an English ``Error:`` line;
- speak Chinese: each line it prints to stderr contains a CJK character, and so does each line of the
  table output on stdout;
- leave its input byte-for-byte as it was, write no output when the input is unusable (exit 2) or an
  export is blocked (exit 1), and write the output when it succeeds;
- and ``validate -o`` followed by ``clear -o`` gives back the input's cells exactly (values, formulas,
  fills, notes, number formats; same sheets in the same order).

Each property runs on states of both forms (``department`` and ``project``, see :data:`workbook_states.FORMS`).
The cross-form check runs both ways: a project state ``validate --with`` the corrected department example (X-005)
and the project example ``validate --with`` the state (the state read as the other side: X-005 on a hostile
附件1-1, or a project book as the other side); both companions are written once per session.

On exit 3 the command is run again with ``--debug`` so that the original exception propagates: Hypothesis
then tells distinct crashes apart by where they are raised and shrinks each to a minimal state. The
falsifying example printed is the state's recipe; ``state.write(path)`` rebuilds the file.

Example counts scale with the Hypothesis profile (tests/conftest.py): the ``ci`` profile (CI=true) is
derandomized with max_examples=100, giving the counts below (per form).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from workbook_states import FORMS, PROJECT_EXAMPLE, WorkbookState, workbook_states

from perfeval import forms
from perfeval.cli import main
from perfeval.xlsx.workflow import fill

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")
EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

_PROFILE_EXAMPLES = settings().max_examples  # 100 in the ci and dev profiles


def _examples(percent: int) -> int:
    return max(1, _PROFILE_EXAMPLES * percent // 100)


def state_settings(percent: int) -> settings:
    """``percent`` of the profile's max_examples (one example runs a whole command group)."""
    return settings(
        max_examples=_examples(percent), deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                               HealthCheck.data_too_large],
    )


@dataclass
class Run:
    argv: list[str]
    rc: int
    out: str
    err: str

    def show(self) -> str:
        return f"perfeval {' '.join(self.argv)} → exit {self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_run(run: Run, *, table_stdout: bool = True) -> None:
    """Exit code and wording of one run."""
    assert run.rc in (EXIT_OK, EXIT_FINDINGS, EXIT_INPUT), run.show()
    for line in (run.out + "\n" + run.err).splitlines():
        assert "Traceback" not in line and "Error:" not in line, f"English error line {line!r}\n{run.show()}"
    for line in run.err.splitlines():
        assert not line.strip() or CJK.search(line), f"stderr line without Chinese {line!r}\n{run.show()}"
    if table_stdout:
        for line in run.out.splitlines():
            assert not line.strip() or CJK.search(line), f"stdout line without Chinese {line!r}\n{run.show()}"
    if not table_stdout and run.rc != EXIT_OK:
        assert CJK.search(run.out + run.err), f"no Chinese message\n{run.show()}"


Runner = Callable[[list[str]], Run]


def in_process(capsys: pytest.CaptureFixture[str]) -> Runner:
    def run(argv: list[str]) -> Run:
        capsys.readouterr()
        try:
            rc = main(argv)
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else EXIT_INPUT
        out, err = capsys.readouterr()
        if rc == 3:  # again with --debug: the original exception propagates (and is told apart by origin)
            try:
                main(["--debug", *argv])
            except BaseException as exc:
                exc.add_note(f"perfeval {' '.join(argv)} → exit 3; stderr:\n{err}")
                raise
        return Run(argv, rc, out, err)

    return run


def subprocesses(argv: list[str]) -> Run:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "perfeval.cli", *argv], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", cwd=ROOT, env=env, timeout=120)
    return Run(argv, proc.returncode, proc.stdout, proc.stderr)


def command(run: Runner, argv: list[str], src: Path, out: Path | None = None, *, table_stdout: bool = True,
            blocked_writes_nothing: bool = False) -> Run:
    """Run one command; check its words, that ``src`` is unchanged, and that ``out`` exists iff it should."""
    before = sha256(src)
    result = run(argv)
    check_run(result, table_stdout=table_stdout)
    assert sha256(src) == before, f"the input was changed\n{result.show()}"
    if out is not None:
        if result.rc == EXIT_OK:
            assert out.exists(), f"no output written\n{result.show()}"
        if result.rc == EXIT_INPUT or (blocked_writes_nothing and result.rc == EXIT_FINDINGS):
            assert not out.exists(), f"output written although the command failed\n{result.show()}"
        leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
        assert not leftovers, f"temporary files left behind: {leftovers}\n{result.show()}"
    return result


# ---------------------------------------------------------------------------------------------- cell snapshots

def _fill_key(cell: Any) -> tuple[Any, ...]:
    f = cell.fill
    if f is None or f.fill_type is None:
        return (None,)
    c = f.fgColor
    return (f.fill_type, c.type, c.rgb if c.type == "rgb" else c.theme if c.type == "theme" else c.indexed,
            round(c.tint or 0.0, 6))


def snapshot(path: Path) -> dict[str, Any]:
    """Every sheet's cells as comparable data: value, type, number format, fill, note text."""
    wb = load_workbook(path)
    sheets: dict[str, Any] = {"__order__": [(ws.title, ws.sheet_state) for ws in wb.worksheets]}
    for ws in wb.worksheets:
        cells = {}
        for (row, col), c in ws._cells.items():
            value = c.value
            if isinstance(value, float) and not math.isfinite(value):
                # <v>1e999</v> of a hand-made file: no spreadsheet can store it and openpyxl writes it back
                # blank; the reader has reported it (RD-001), so it compares as the blank it becomes
                value = None
            key = (value, c.data_type, c.number_format, _fill_key(c), c.comment.text if c.comment else None)
            if key != (None, "n", "General", (None,), None):  # an untouched cell: same as an absent one
                cells[(row, col)] = key
        sheets[ws.title] = cells
    return sheets


def assert_same_cells(original: Path, restored: Path) -> None:
    a, b = snapshot(original), snapshot(restored)
    assert a["__order__"] == b["__order__"], f"sheets differ: {a['__order__']} → {b['__order__']}"
    for name in a:
        if name == "__order__":
            continue
        diffs = [(rc, a[name].get(rc), b[name].get(rc)) for rc in sorted(set(a[name]) | set(b[name]))
                 if a[name].get(rc) != b[name].get(rc)]
        assert not diffs, f"“{name}” differs after validate -o + clear -o (row, col), before, after: {diffs[:5]}"


# ---------------------------------------------------------------------------------------------- command groups

def compute_group(run: Runner, d: Path, src: Path) -> None:
    out = d / "computed.xlsx"
    command(run, ["compute", str(src), "-o", str(out)], src, out)


def validate_group(run: Runner, d: Path, src: Path, *, roundtrip: bool = True) -> None:
    command(run, ["validate", str(src)], src)
    command(run, ["validate", str(src), "--format", "json"], src, table_stdout=False)
    flagged, cleared = d / "flagged.xlsx", d / "cleared.xlsx"
    r = command(run, ["validate", str(src), "-o", str(flagged)], src, flagged)
    if r.rc == EXIT_INPUT:
        return
    assert flagged.exists(), r.show()
    r = command(run, ["clear", str(flagged), "-o", str(cleared)], flagged, cleared)
    assert r.rc == EXIT_OK, f"clearing our own validate output failed\n{r.show()}"
    if roundtrip:
        assert_same_cells(src, cleared)


Companions = dict[str, Path]  # form → a valid workbook of that form (the other side of ``validate --with``)


def cross_group(run: Runner, src: Path, form: str, companions: Companions) -> None:
    """``validate --with`` both ways; neither input changes."""
    project = companions["project"]
    before = sha256(project)
    if form == "project":
        command(run, ["validate", str(src), "--with", str(companions["department"])], src)
    command(run, ["validate", str(project), "--with", str(src)], src)
    assert sha256(project) == before, "the companion was changed"


def export_group(run: Runner, d: Path, src: Path) -> None:
    command(run, ["verify", str(src)], src)
    final, forced = d / "final.xlsx", d / "final_forced.xlsx"
    plain = command(run, ["export", str(src), "-o", str(final)], src, final, blocked_writes_nothing=True)
    r = command(run, ["export", str(src), "-o", str(forced), "--force", "--reason", "理由"], src, forced,
                blocked_writes_nothing=True)
    for result, path in ((plain, final), (r, forced)):
        if result.rc == EXIT_OK:
            v = command(run, ["verify", str(path)], path)
            assert v.rc == EXIT_OK, f"a fresh export does not verify as intact\n{result.show()}\n{v.show()}"
            command(run, ["verify", str(path), "--format", "json"], path, table_stdout=False)


def extract_group(run: Runner, d: Path, src: Path) -> None:
    r = command(run, ["extract", str(src)], src, table_stdout=False)
    if r.rc == EXIT_OK:
        json.loads(r.out)  # the data file, nothing else, on stdout
    data = d / "data.json"
    command(run, ["extract", str(src), "-o", str(data)], src, data)


@pytest.fixture(scope="session")
def companions(tmp_path_factory: pytest.TempPathFactory) -> Companions:
    """The corrected department example and the project example, filled once."""
    d = tmp_path_factory.mktemp("companions")
    out = {"department": d / "部门表.xlsx", "project": d / "项目表.xlsx"}
    for form, name in (("department", "huaihua-2023-corrected.json"), ("project", PROJECT_EXAMPLE)):
        fill(forms.get(form).parse_json((ROOT / "examples" / name).read_text(encoding="utf-8")), out[form])
    return out


def _in_tmp(state: WorkbookState, body: Callable[[Path, Path], None]) -> None:
    with tempfile.TemporaryDirectory(prefix="perfeval-prop-") as tmp:
        d = Path(tmp)
        src = state.write(d / "input.xlsx")
        body(d, src)


# ---------------------------------------------------------------------------------------------- properties

#: each property on states of each form (a Hypothesis draw per example: the falsifying one prints its recipe)
by_form = pytest.mark.parametrize("form", FORMS)


@by_form
@state_settings(25)
@given(data=st.data())
def test_compute_and_extract_on_any_state(form: str, data: st.DataObject,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    state = data.draw(workbook_states(form=form), label="state")
    run = in_process(capsys)

    def groups(d: Path, src: Path) -> None:
        compute_group(run, d, src)
        extract_group(run, d, src)

    _in_tmp(state, groups)


@by_form
@state_settings(25)
@given(data=st.data())
def test_validate_and_clear_on_any_state(form: str, data: st.DataObject, companions: Companions,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    state = data.draw(workbook_states(form=form), label="state")
    run = in_process(capsys)

    def groups(d: Path, src: Path) -> None:
        validate_group(run, d, src)
        cross_group(run, src, form, companions)

    _in_tmp(state, groups)


@by_form
@state_settings(25)
@given(data=st.data())
def test_export_and_verify_on_any_state(form: str, data: st.DataObject,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    state = data.draw(workbook_states(form=form), label="state")
    run = in_process(capsys)
    _in_tmp(state, lambda d, src: export_group(run, d, src))


@by_form
@state_settings(2)
@given(data=st.data())
def test_no_traceback_escapes_a_real_process(form: str, data: st.DataObject, companions: Companions) -> None:
    """The same commands as separate processes: what a user's console shows (no in-process catching)."""
    state = data.draw(workbook_states(form=form), label="state")

    def every_group(d: Path, src: Path) -> None:
        compute_group(subprocesses, d, src)
        validate_group(subprocesses, d, src, roundtrip=False)
        cross_group(subprocesses, src, form, companions)
        export_group(subprocesses, d, src)
        extract_group(subprocesses, d, src)

    _in_tmp(state, every_group)
