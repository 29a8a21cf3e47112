"""The fast reader (perfeval/xlsx/fast.py) gives what the openpyxl path gives, on every test workbook we can make:
the committed templates, fresh ``perfeval new`` files of both forms, every example filled and exported, the
hostile corpus (tests/corpus.py) and generated workbook states (tests/workbook_states.py).

For each file the fast path either refuses it (``fast_from_bytes`` returns None: the callers then use openpyxl)
or reads it exactly as openpyxl does: the same report model, read issues and sheet names (or the same
StructureError), the same findings of the rules, and the same 核验 (status, problems, changes, fingerprints,
unprotected sheets, message). Most files must take the fast path, and a construct it cannot reproduce (a shared
formula) must be refused, so that the check can fail both ways.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from perfeval import forms
from perfeval.config import DEFAULT_CONFIG
from perfeval.reading import ReadResult, StructureError, read_grid
from perfeval.rules import run_rules
from perfeval.xlsx.export import ExportBlocked, export_file
from perfeval.xlsx.fast import FastBook, fast_from_bytes
from perfeval.xlsx.io import WorkbookError, open_workbook_bytes, read_package
from perfeval.xlsx.reader import _Book
from perfeval.xlsx.verify import VerifyResult, fast_package, verify_package, verify_workbook
from perfeval.xlsx.workflow import fill
from tests.conftest import EXAMPLES, ROOT
from tests.corpus import add_to_sheet_data, build_corpus
from tests.workbook_states import workbook_states

TEMPLATES = sorted((ROOT / "workbook_templates").glob("*.xlsx"))


@dataclass
class Outcome:
    fast: bool  # the fast path read the file
    refused_by_openpyxl: bool = False


def _read(book: Any) -> tuple[str, Any]:
    try:
        return "ok", read_grid(book)
    except StructureError as exc:
        return "structure", (str(exc), exc.differences)


def _findings(read: ReadResult) -> list[Any]:
    pack = forms.get(read.layout.form)
    computed = pack.compute(read.report, DEFAULT_CONFIG)
    return run_rules(read.report, read.layout, computed, config=DEFAULT_CONFIG, read_issues=read.issues
                     ).sorted().findings


def _verified(v: VerifyResult) -> dict[str, Any]:
    return {"status": v.status, "problems": v.problems, "changes": v.changes, "expected": v.expected_fingerprint,
            "actual": v.actual_fingerprint, "unprotected": v.unprotected_sheets,
            "structure": v.structure_protected, "message": v.message, "metadata": v.metadata}


def check_parity(path: Path) -> Outcome:
    """Assert the fast path equals openpyxl's on ``path`` (when it reads the file at all)."""
    try:
        data = read_package(path)
    except WorkbookError:
        return Outcome(fast=False, refused_by_openpyxl=True)  # refused before either reader parses anything
    book = fast_from_bytes(data, path)
    if book is None:
        return Outcome(fast=False)
    assert isinstance(book, FastBook)
    try:
        wb = open_workbook_bytes(data, path)
    except WorkbookError as exc:
        pytest.fail(f"{path.name}: the fast path read a file openpyxl refuses: {exc}")
    assert book.sheetnames == wb.sheetnames, path.name
    fast_kind, fast_read = _read(book)
    slow_kind, slow_read = _read(_Book(wb, path))
    assert (fast_kind, fast_kind == "structure" and fast_read) == (slow_kind, slow_kind == "structure" and slow_read), \
        path.name
    if fast_kind == "ok":
        assert fast_read.report == slow_read.report, path.name
        assert fast_read.issues == slow_read.issues, path.name
        assert fast_read.sheet_names == slow_read.sheet_names, path.name
        assert fast_read.typed_over == slow_read.typed_over, path.name
        assert fast_read.text_numbers == slow_read.text_numbers, path.name
        assert fast_read.layout == slow_read.layout, path.name
        assert _findings(fast_read) == _findings(slow_read), path.name
    assert _verified(verify_package(fast_package(book), path)) == _verified(verify_workbook(wb, path)), path.name
    return Outcome(fast=True)


# --------------------------------------------------------------------------- the files


def _new(folder: Path, form: str, **kw: Any) -> Path:
    from perfeval.cli import main

    out = folder / f"new-{form}-{len(list(folder.iterdir()))}.xlsx"
    argv = ["new", "--form", form, "-o", str(out)] + [a for k, v in kw.items() for a in (f"--{k}", str(v))]
    assert main(argv) == 0
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Templates, fresh files, every example filled and exported (forced where it has warnings)."""
    folder = tmp_path_factory.mktemp("made")
    files = list(TEMPLATES)
    files += [_new(folder, "department"), _new(folder, "department", projects=0, unit="某单位", year=2024),
              _new(folder, "project"), _new(folder, "project", projects=3)]
    for example in sorted(EXAMPLES.glob("*.json")):
        report = _load(example)
        filled = folder / f"{example.stem}.xlsx"
        fill(report, filled)
        files.append(filled)
        for reason in (None, "理由已向财政局说明"):
            try:
                files.append(export_file(filled, folder / f"{example.stem}-final.xlsx", force_reason=reason,
                                         now=dt.datetime(2024, 6, 1, 9, 0)).path)
                break
            except ExportBlocked:
                continue
    return files


def _load(example: Path) -> Any:
    text = example.read_text(encoding="utf-8")
    for pack in forms.all_forms():
        try:
            return pack.model.model_validate_json(text)
        except Exception:
            continue
    raise AssertionError(f"no form reads {example.name}")


def test_templates_new_filled_and_exported_files(made: list[Path]) -> None:
    assert len(TEMPLATES) == 2
    outcomes = {p.name: check_parity(p) for p in made}
    assert all(o.fast for o in outcomes.values()), [n for n, o in outcomes.items() if not o.fast]
    finals = [n for n in outcomes if n.endswith("-final.xlsx")]
    assert len(finals) >= 2  # the corrected example and the project example export at least


def test_hostile_corpus(tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("corpus")
    paths = [p for p in build_corpus(folder) if p.is_file() and p.suffix.lower() in (".xlsx", ".xlsm")]
    outcomes = {p.name: check_parity(p) for p in paths}
    readable = [n for n, o in outcomes.items() if not o.refused_by_openpyxl]
    fast = [n for n in readable if outcomes[n].fast]
    # most of the workbooks a reader gets to parse go the fast way
    assert len(fast) >= 0.75 * len(readable), sorted(set(readable) - set(fast))


# --------------------------------------------------------------------------- constructs the fast path refuses


def _with_shared_formula(data: bytes) -> bytes:
    """A shared formula on 计算结果-like first sheet: two cells, the second referring to the first's."""
    return add_to_sheet_data(data, "xl/worksheets/sheet1.xml",
                             b'<row r="200"><c r="A200"><f t="shared" ref="A200:B200" si="0">1+1</f></c>'
                             b'<c r="B200"><f t="shared" si="0"/></c></row>')


def test_shared_formula_is_refused(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "x"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    assert fast_from_bytes(read_package(plain), plain) is not None
    shared = tmp_path / "shared.xlsx"
    shared.write_bytes(_with_shared_formula(plain.read_bytes()))
    assert load_workbook(shared).active["B200"].value == "=1+1"  # openpyxl translates the shared formula
    assert fast_from_bytes(read_package(shared), shared) is None
    assert check_parity(shared) == Outcome(fast=False)


def test_a_text_of_blanks_is_refused(tmp_path: Path) -> None:
    """openpyxl writes " " without xml:space="preserve" and reads it back as " "; calamine drops it (found by the
    workbook-state property: the export's cell list then seemed to have an empty row)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"], ws["A2"] = " ", "x"
    path = tmp_path / "blank.xlsx"
    wb.save(path)
    assert load_workbook(path).active["A1"].value == " "
    assert fast_from_bytes(read_package(path), path) is None
    assert check_parity(path) == Outcome(fast=False)


# --------------------------------------------------------------------------- generated workbook states

@pytest.mark.parametrize("form", ["department", "project"])
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])
@given(data=st.data())
def test_workbook_states(form: str, data: st.DataObject, tmp_path: Path) -> None:
    state = data.draw(workbook_states(form=form), label="state")
    path = state.write(tmp_path / f"state-{form}.xlsx")
    check_parity(path)
