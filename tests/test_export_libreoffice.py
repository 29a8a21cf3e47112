"""The final workbook (定稿) in a real spreadsheet engine: LibreOffice headless opens, shows, protects and
prints it as exported, and a LibreOffice re-save does not move a single value of the official sheets."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval.compute import Computed
from perfeval.fingerprint import address_key
from perfeval.forms.department.compute import compute
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, bd_rows, layout_for, zp_rows
from perfeval.layout import Layout
from perfeval.numbers import round_to
from perfeval.sheets import CALC_SHEET, EXPORT_SHEET, SUMMARY_SHEET
from perfeval.xlsx.export import export_file
from perfeval.xlsx.verify import VerifyStatus, verify_file
from perfeval.xlsx.workflow import fill
from tests.conftest import load_example
from tests.support.libreoffice import convert, pdf_pages, require_libreoffice, sheet_csvs, sheet_protection

pytestmark = pytest.mark.libreoffice

A4 = (595.3, 841.9)
ERROR = re.compile(r"^(#(DIV/0!|NAME\?|REF!|VALUE!|N/A|NUM!|NULL!)|Err:\d+)")


@dataclass
class Final:
    path: Path
    layout: Layout
    computed: Computed


@pytest.fixture(scope="module")
def final(tmp_path_factory: pytest.TempPathFactory) -> Final:
    report = load_example("huaihua-2023-corrected.json")
    folder = tmp_path_factory.mktemp("lo-export")
    src = folder / "corrected.xlsx"
    fill(report, src)
    result = export_file(src, folder / "final.xlsx", now=dt.datetime(2024, 6, 10, 9, 30))
    return Final(result.path, layout_for(report), compute(report))


def _number(text: str) -> Decimal:
    """A CSV cell as LibreOffice writes it (general numbers, percentages as shown)."""
    text = text.replace(",", "").strip()
    if text.endswith("%"):
        return Decimal(text[:-1]) / 100
    return Decimal(text)


def _at(rows: list[list[str]], address: str) -> str:
    row, col = address_key(address)
    return rows[row - 1][col - 1]


def test_csv_of_each_sheet_shows_the_engines_values(final: Final, tmp_path: Path) -> None:
    require_libreoffice()
    csvs = sheet_csvs(final.path, tmp_path)
    assert set(csvs) == {BD_SHEET, ZP_SHEET, CALC_SHEET, SUMMARY_SHEET, EXPORT_SHEET}
    shape = final.layout.shape
    b = bd_rows(shape.n_projects)
    z = zp_rows(shape.indicator_rows, shape.goal_rows)
    c = final.computed
    checks = {
        (BD_SHEET, f"F{b['staff']}"): ("basic.staff_control_rate_stated", 4),  # 控制率
        (BD_SHEET, f"B{b['projects_stated']}"): ("basic.projects_stated.prev_actual", 2),  # 项目支出
        (BD_SHEET, f"D{b['projects_stated']}"): ("basic.projects_stated.budget", 2),
        (BD_SHEET, f"F{b['projects_stated']}"): ("basic.projects_stated.actual", 2),
        (BD_SHEET, f"B{b['three_public_stated']}"): ("basic.three_public_stated.prev_actual", 2),
        (ZP_SHEET, f"G{z['funds']}"): ("self_eval.funds.execution_rate_stated", 4),  # 执行率
        (ZP_SHEET, f"H{z['funds']}"): ("self_eval.funds.score_stated", 2),
        (ZP_SHEET, f"G{z['total']}"): ("self_eval.total_weight_stated", 2),  # 总分
        (ZP_SHEET, f"H{z['total']}"): ("self_eval.total_score_stated", 2),
    }
    for (sheet, address), (key, places) in checks.items():
        expected = c[key]
        assert isinstance(expected, Decimal), key
        shown = _at(csvs[sheet], address)
        assert round_to(_number(shown), places) == round_to(expected, places), f"{sheet}!{address}: {shown}"
    calc = {row[0]: row[1] for row in csvs[CALC_SHEET] if row and row[0]}
    assert calc["等级"] == c["calc.grade"]
    assert round_to(_number(calc["总分"]), 2) == round_to(Decimal(str(c["calc.total_score"])), 2)
    assert round_to(_number(calc["公用经费控制率"]), 4) == round_to(Decimal(str(c["calc.public_funds_control"])), 4)
    building = _at(csvs[BD_SHEET], f"D{b['building']}")
    assert building == "—"  # 规模控制 with no approved area: not applicable, not 0 or 100%
    # no cell shows a spreadsheet error (there is nothing left to compute)
    for sheet, rows in csvs.items():
        assert not [v for row in rows for v in row if ERROR.match(v)], sheet


def test_libreoffice_sees_every_sheet_protected(final: Final) -> None:
    require_libreoffice()
    protection = sheet_protection(final.path)
    sheets = {k: v for k, v in protection.items() if not k.startswith("__")}
    assert sheets == {BD_SHEET: True, ZP_SHEET: True, CALC_SHEET: True, SUMMARY_SHEET: True, EXPORT_SHEET: True}


def test_pdf_is_a4_portrait_and_one_page_wide(final: Final, tmp_path: Path) -> None:
    require_libreoffice()
    pdf = convert(final.path, "pdf", tmp_path)
    pages = pdf_pages(pdf)
    assert 4 <= len(pages) <= 10
    for width, height in pages:
        # A4: the official sheets portrait, the wide 计算结果 and 校验摘要 landscape (tests/test_layout_print.py)
        assert abs(min(width, height) - A4[0]) < 2 and abs(max(width, height) - A4[1]) < 2
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) not installed: page sizes checked, page width not")
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60,
                          text=True).stdout
    lines = text.splitlines()

    def line_with(*parts: str) -> str:
        found = [ln for ln in lines if parts[0] in ln]
        assert found, parts[0]
        return found[0]

    # first and last column of a row on the same printed line: no sheet spills onto a second page across
    assert "58.14" in line_with("1.专项（业务）经费", "58.14")  # 附件1-1: A … F/G
    assert "2023年决算数" in line_with("经费控制情况")
    funds = line_with("620.00")  # 附件1-2 年度资金总额 (the label wraps in its column: "年度资金总│额")
    assert "781.06" in funds and "100.00%" in funds  # 附件1-2: C … G
    assert "本年决算数 / 本年预算数（F4）" in line_with("公用经费控制率")  # 计算结果: A … F
    assert "BD-009" in line_with("BD-009") and "提示" in line_with("BD-009")  # 校验摘要
    assert "_perfeval_export" not in text and "canonical_cells" not in text  # very hidden: not printed


def test_libreoffice_resave_keeps_every_value(final: Final, tmp_path: Path) -> None:
    """Another program re-saving the file (same values, other bytes) does not count as a change.
    (LibreOffice 7.4 drops the OOXML structure lock, so that part is reported, correctly.)"""
    require_libreoffice()
    resaved = convert(final.path, "xlsx", tmp_path)
    assert resaved.read_bytes() != final.path.read_bytes()
    result = verify_file(resaved)
    assert VerifyStatus.VALUES_CHANGED not in result.problems, result.message
    assert result.changes == []
    assert result.actual_fingerprint == result.expected_fingerprint
    assert result.unprotected_sheets == []


def test_formulas_typed_by_the_unit_are_frozen_at_the_computed_value(tmp_path: Path) -> None:
    """A formula in an input cell, or on a sheet of the unit's own, becomes the value the spreadsheet last
    computed for it (here LibreOffice saved the results); the final file holds no formula."""
    require_libreoffice()
    from openpyxl import load_workbook

    src = tmp_path / "typed.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), src)
    wb = load_workbook(src)
    wb[BD_SHEET]["D14"] = "=40+40"  # 项目1 2023年预算数 typed as a formula
    wb.create_sheet("辅助计算")["A1"] = "=SUM(1,2)"
    wb.save(src)
    saved = convert(src, "xlsx", tmp_path / "saved")  # LibreOffice stores each formula's result
    result = export_file(saved, tmp_path / "final.xlsx")
    out = load_workbook(result.path)
    assert out[BD_SHEET]["D14"].value == 80 and out["辅助计算"]["A1"].value == 3
    assert [c.coordinate for ws in out.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"] == []
    assert verify_file(result.path).status == VerifyStatus.INTACT
