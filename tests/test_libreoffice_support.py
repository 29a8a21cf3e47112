"""Tests of tests/support/libreoffice.py on small openpyxl-made workbooks.

The LibreOffice tests need soffice + python3-uno: scripts/run-tests installs them when root;
``require_libreoffice()`` fails loudly as root / in CI when they are missing, skips otherwise.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.protection import WorkbookProtection

from tests.support import libreoffice as lo

DATA_SHEET = "附件1-1 基础数据表"
SUMMARY_SHEET = "汇总-结果 表"

A4_PORTRAIT = (595.3, 841.9)


@pytest.fixture
def need_lo() -> None:
    lo.require_libreoffice()


def _formula_workbook(path: Path) -> Path:
    """Data sheet with a zero divisor plus formulas on both sheets (cross-sheet refs)."""
    wb = Workbook()
    data = wb.active
    data.title = DATA_SHEET
    data["A1"] = "项目"
    data["B1"] = 10
    data["B2"] = 0
    data["B3"] = 4
    data["B4"] = 2.345
    data["B5"] = 123.456
    data["C1"] = "=B1/B2"
    data["C2"] = '=IF(B2=0,"—",B1/B2)'
    data["C3"] = '=IF(B3=0,"—",B1/B3)'
    data["C4"] = "=ROUND(B4,2)"
    data["C5"] = "=SUM(B1:B5)"
    data["C6"] = "=MIN(B1,B3,B5)"
    data["C7"] = '=IF(B1>0,"","x")'
    summary = wb.create_sheet(SUMMARY_SHEET)
    summary["A1"] = "基础值"
    summary["B1"] = f"='{DATA_SHEET}'!B5"
    summary["B2"] = f"=ROUND('{DATA_SHEET}'!B5*2/3,2)"
    summary["B3"] = f"=SUM('{DATA_SHEET}'!B1:B5)"
    summary["B4"] = f"=MIN('{DATA_SHEET}'!B1:B5)"
    summary["B5"] = f"=IF('{DATA_SHEET}'!B2=0,\"—\",'{DATA_SHEET}'!B1/'{DATA_SHEET}'!B2)"
    summary["B6"] = f"='{DATA_SHEET}'!C1"
    wb.save(path)
    return path


def _expected_data_sheet() -> dict[str, object]:
    return {
        "A1": "项目",
        "B1": 10.0,
        "B2": 0.0,
        "B3": 4.0,
        "B4": 2.345,
        "B5": 123.456,
        "C1": "#DIV/0!",
        "C2": "—",
        "C3": 2.5,
        "C4": 2.35,
        "C5": pytest.approx(139.801),
        "C6": 4.0,
        "C7": "",
    }


def _expected_summary_sheet() -> dict[str, object]:
    return {
        "A1": "基础值",
        "B1": 123.456,
        "B2": 82.3,
        "B3": pytest.approx(139.801),
        "B4": 0.0,
        "B5": "—",
        "B6": "#DIV/0!",
    }


def _make_stale(src: Path, dst: Path, cached: str = "999") -> Path:
    """Copy of ``src`` where every formula carries a wrong cached value and no recalc flag."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                text = data.decode("utf-8")
                text = re.sub(r"</f>(<v\s*/>|<v>[^<]*</v>)?", f"</f><v>{cached}</v>", text)
                data = text.encode("utf-8")
            elif item.filename == "xl/workbook.xml":
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            zout.writestr(item, data)
    return dst


# --------------------------------------------------------------------------- no LibreOffice needed


def test_require_libreoffice_fails_as_root_or_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lo, "available", lambda: (False, "no 'soffice' found"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    with pytest.raises(pytest.fail.Exception, match="should have installed it"):
        lo.require_libreoffice()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="should have installed it"):
        lo.require_libreoffice()


def test_require_libreoffice_skips_for_non_root_developer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lo, "available", lambda: (False, "no 'soffice' found"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no 'soffice' found"):
        lo.require_libreoffice()


def test_require_libreoffice_passes_when_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lo, "available", lambda: (True, ""))
    lo.require_libreoffice()


def test_mediabox_fallback_parser_inherits_and_rotates() -> None:
    pdf = (
        b"%PDF-1.4\n"
        b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R 4 0 R 5 0 R] /Count 3 /MediaBox [0 0 595 842] >> endobj\n"
        b"3 0 obj << /Type /Page /Parent 2 0 R >> endobj\n"
        b"4 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] >> endobj\n"
        b"5 0 obj << /Type /Page /Parent 2 0 R /Rotate 90 >> endobj\n"
        b"%%EOF\n"
    )
    assert lo._pdf_pages_mediabox(pdf) == [(595.0, 842.0), (842.0, 595.0), (842.0, 595.0)]


def test_missing_input_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(lo.LibreOfficeError, match="no such file"):
        lo.convert(tmp_path / "missing.xlsx", "pdf", tmp_path)
    with pytest.raises(lo.LibreOfficeError, match="no such file"):
        lo.pdf_pages(tmp_path / "missing.pdf")


# --------------------------------------------------------------------------- LibreOffice


libreoffice = pytest.mark.libreoffice


@libreoffice
def test_available_reports_version(need_lo: None) -> None:
    assert lo.available() == (True, "")
    version = lo.soffice_version()
    assert version is not None and version.startswith("LibreOffice ")
    python = lo.uno_python()
    assert python is not None


@libreoffice
def test_recalc_values_computes_uncached_formulas(need_lo: None, tmp_path: Path) -> None:
    book = _formula_workbook(tmp_path / "formulas.xlsx")
    # openpyxl writes formulas without results: nothing to read without recalculation
    cached = load_workbook(book, data_only=True)
    assert cached[DATA_SHEET]["C3"].value is None

    values = lo.recalc_values(book)

    assert list(values) == [DATA_SHEET, SUMMARY_SHEET]
    assert values[DATA_SHEET] == _expected_data_sheet()
    assert values[SUMMARY_SHEET] == _expected_summary_sheet()
    assert all(isinstance(v, float) for k, v in values[DATA_SHEET].items() if k.startswith("B"))


@libreoffice
def test_recalc_values_sheet_filter_and_unknown_sheet(need_lo: None, tmp_path: Path) -> None:
    book = _formula_workbook(tmp_path / "formulas.xlsx")
    values = lo.recalc_values(book, [SUMMARY_SHEET])
    assert list(values) == [SUMMARY_SHEET]
    assert values[SUMMARY_SHEET]["B2"] == 82.3
    with pytest.raises(lo.LibreOfficeError, match="no such sheet"):
        lo.recalc_values(book, ["Sheet404"])


@libreoffice
def test_stale_cached_values_are_recalculated(need_lo: None, tmp_path: Path) -> None:
    book = _make_stale(_formula_workbook(tmp_path / "fresh.xlsx"), tmp_path / "stale.xlsx")
    assert load_workbook(book, data_only=True)[SUMMARY_SHEET]["B1"].value == 999

    assert lo.recalc_values(book)[SUMMARY_SHEET] == _expected_summary_sheet()
    # conversions use a profile that recalculates on load, too
    csvs = lo.sheet_csvs(book, tmp_path / "csv")
    assert csvs[SUMMARY_SHEET][0] == ["基础值", "123.456"]


@libreoffice
def test_sheet_protection(need_lo: None, tmp_path: Path) -> None:
    wb = Workbook()
    locked = wb.active
    locked.title = DATA_SHEET
    locked["A1"] = 1
    locked.protection.sheet = True
    locked.protection.password = "x"
    open_sheet = wb.create_sheet("Open")
    open_sheet["A1"] = 2
    wb.save(tmp_path / "plain.xlsx")
    wb.security = WorkbookProtection(workbookPassword="x", lockStructure=True)
    wb.save(tmp_path / "structure.xlsx")

    plain = lo.sheet_protection(tmp_path / "plain.xlsx")
    assert plain == {DATA_SHEET: True, "Open": False, lo.DOCUMENT_STRUCTURE_KEY: False}

    structure = lo.sheet_protection(tmp_path / "structure.xlsx")
    assert structure[DATA_SHEET] is True
    assert structure["Open"] is False
    # LibreOffice 7.4 does not import OOXML workbookProtection: value may be False here.
    assert isinstance(structure[lo.DOCUMENT_STRUCTURE_KEY], bool)
    assert load_workbook(tmp_path / "structure.xlsx").security.lockStructure


@libreoffice
@pytest.mark.parametrize(
    ("orientation", "expected"),
    [("portrait", A4_PORTRAIT), ("landscape", A4_PORTRAIT[::-1])],
)
def test_pdf_page_size_follows_page_setup(
    need_lo: None, tmp_path: Path, orientation: str, expected: tuple[float, float]
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws["A1"] = "绩效自评表"
    ws["B2"] = "=1+1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    wb.save(tmp_path / "a4.xlsx")

    pdf = lo.convert(tmp_path / "a4.xlsx", "pdf", tmp_path / "out")

    assert pdf == (tmp_path / "out" / "a4.pdf").resolve()
    pages = lo.pdf_pages(pdf)
    assert len(pages) == 1
    assert pages[0] == pytest.approx(expected, abs=2)
    fallback = lo._pdf_pages_mediabox(pdf.read_bytes())
    assert [pytest.approx(size, abs=0.5) for size in fallback] == pages


@libreoffice
def test_sheet_csvs_per_sheet_values(need_lo: None, tmp_path: Path) -> None:
    book = _formula_workbook(tmp_path / "formulas.xlsx")
    ws_wb = load_workbook(book)
    ws_wb[SUMMARY_SHEET]["C1"] = 1234.5
    ws_wb[SUMMARY_SHEET]["C1"].number_format = "#,##0.00"
    ws_wb.save(book)

    raw = lo.sheet_csvs(book, tmp_path / "csv")
    assert list(raw) == [DATA_SHEET, SUMMARY_SHEET]
    assert raw[DATA_SHEET][:4] == [
        ["项目", "10", "#DIV/0!"],
        ["", "0", "—"],
        ["", "4", "2.5"],
        ["", "2.345", "2.35"],
    ]
    assert [row[1] for row in raw[SUMMARY_SHEET]] == ["123.456", "82.3", "139.801", "0", "—", "#DIV/0!"]
    assert raw[SUMMARY_SHEET][0] == ["基础值", "123.456", "1234.5"]
    assert (tmp_path / "csv" / f"formulas-{SUMMARY_SHEET}.csv").is_file()

    shown = lo.sheet_csvs(book, tmp_path / "csv", as_shown=True)
    assert shown[SUMMARY_SHEET][0] == ["基础值", "123.456", "1,234.50"]


@libreoffice
def test_convert_csv_and_xlsx(need_lo: None, tmp_path: Path) -> None:
    book = _formula_workbook(tmp_path / "formulas.xlsx")
    first = lo.convert(book, "csv", tmp_path / "out")
    assert first.name == "formulas.csv"
    assert first.read_text(encoding="utf-8").splitlines()[1] == ",0,—"

    # an xlsx saved by LibreOffice carries the computed results for openpyxl's data_only mode
    copy = lo.convert(book, "xlsx", tmp_path / "out")
    assert load_workbook(copy, data_only=True)[SUMMARY_SHEET]["B2"].value == 82.3

    with pytest.raises(lo.LibreOfficeError, match="to itself"):
        lo.convert(copy, "xlsx", tmp_path / "out")


@libreoffice
def test_timeout_cleans_up_processes_and_profile(
    need_lo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = _formula_workbook(tmp_path / "formulas.xlsx")
    scratch = _private_tempdir(tmp_path, monkeypatch)

    start = time.monotonic()
    with pytest.raises(lo.LibreOfficeError, match="timed out"):
        lo.recalc_values(book, timeout=0.3)
    assert time.monotonic() - start < 30

    assert list(scratch.iterdir()) == []  # profile removed
    assert _processes_mentioning(scratch) == []


@libreoffice
def test_calls_leave_no_process_or_profile(need_lo: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = _formula_workbook(tmp_path / "formulas.xlsx")
    scratch = _private_tempdir(tmp_path, monkeypatch)

    lo.sheet_protection(book)
    lo.convert(book, "pdf", tmp_path / "out")

    assert list(scratch.iterdir()) == []
    assert _processes_mentioning(scratch) == []


def _private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Make the helper create its LibreOffice profiles under a directory of this test."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    return scratch


def _processes_mentioning(path: Path) -> list[str]:
    """Command lines of running processes that mention ``path`` (Linux /proc)."""
    if not Path("/proc/self/cmdline").exists():
        pytest.skip("needs /proc")
    needle = str(path).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            found.append(cmdline.replace(b"\0", b" ").decode(errors="replace"))
    return found
