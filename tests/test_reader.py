"""Reading what accountants really type: text numbers, typed-over formulas, blanks, broken structure."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.forms.department.model import Report
from perfeval.xlsx.reader import StructureError, read_workbook
from perfeval.xlsx.workflow import compute_file, fill


def _edit(path: Path, edits: dict[tuple[str, str], object]) -> None:
    wb = load_workbook(path)
    for (sheet, addr), value in edits.items():
        wb[sheet][addr].value = value
    wb.save(path)


def test_numbers_typed_as_text(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "t.xlsx"
    fill(seed, out)
    lay = layout_for(seed)
    a = lambda p: (lay.find(p).sheet, lay.find(p).address)  # noqa: E731
    _edit(out, {
        a("self_eval.funds.initial_budget"): "568.61",
        a("self_eval.funds.full_year_budget"): "781.06万元",
        a("self_eval.income_general_public"): "６７５．９２",
        a("basic.staff_actual"): " 40 ",
        a("basic.staff_control_rate_stated"): "95%",
        a("basic.public_funds.budget"): "1,040.50",
        a("basic.projects[0].amounts.budget"): "８０",
    })
    r = read_workbook(out)
    # read as numbers, and each one is an RD-002 warning at its cell (Excel's formulas count text as 0)
    edited = {a(p) for p in ("self_eval.funds.initial_budget", "self_eval.funds.full_year_budget",
                             "self_eval.income_general_public", "basic.staff_actual",
                             "basic.staff_control_rate_stated", "basic.public_funds.budget",
                             "basic.projects[0].amounts.budget")}
    assert {(i.sheet, i.address) for i in r.issues} == edited
    assert {(i.code, i.severity) for i in r.issues} == {("RD-002", "warning")}
    # input cells are listed for 计算 to convert; the typed-over derived 控制率 gets its formula back instead
    assert {(t.cell.sheet, t.cell.address) for t in r.text_numbers} == edited - {a("basic.staff_control_rate_stated")}
    assert r.report.self_eval.funds.initial_budget == Decimal("568.61")
    assert r.report.self_eval.funds.full_year_budget == Decimal("781.06")
    assert r.report.self_eval.income_general_public == Decimal("675.92")
    assert r.report.basic.staff_actual == 40
    assert r.report.basic.staff_control_rate_stated == Decimal("0.95")
    assert r.report.basic.public_funds.budget == Decimal("1040.50")
    assert r.report.basic.projects[0].amounts.budget == Decimal("80")


def test_unreadable_cells_become_issues_not_exceptions(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "t.xlsx"
    fill(seed, out)
    lay = layout_for(seed)
    cell = lay.find("basic.office.budget")
    count = lay.find("basic.staff_authorized")
    date = lay.find("basic.fill_date")
    _edit(out, {(cell.sheet, cell.address): "约一万", (count.sheet, count.address): "38.5",
                (date.sheet, date.address): "六月初"})
    r = read_workbook(out)
    by_cell = {i.address: i for i in r.issues}
    assert set(by_cell) == {cell.address, count.address, date.address}
    assert "约一万" in by_cell[cell.address].message and "办公费" in by_cell[cell.address].message
    assert "整数" in by_cell[count.address].message
    assert "日期" in by_cell[date.address].message
    assert r.report.basic.office.budget is None
    assert r.report.basic.staff_authorized is None


def test_typed_over_formula_is_a_stated_value_and_compute_restores_it(tmp_path: Path) -> None:
    from perfeval.forms.department.model import blank_report

    report = blank_report(2023, "单位", n_projects=2)
    report.basic.projects[0].name = "甲"
    report.basic.projects[0].amounts.budget = Decimal("10.00")
    report.basic.projects[1].name = "乙"
    report.basic.projects[1].amounts.budget = Decimal("5.50")
    out = tmp_path / "t.xlsx"
    fill(report, out)
    lay = layout_for(report)
    total = lay.find("basic.projects_stated.budget")
    assert load_workbook(out)[BD_SHEET][total.address].value == total.formula
    _edit(out, {(BD_SHEET, total.address): 99})
    r = read_workbook(out)
    assert r.report.basic.projects_stated.budget == Decimal(99)
    assert [c.address for c in r.typed_over] == [total.address]

    fixed = tmp_path / "fixed.xlsx"
    before = out.read_bytes()
    result = compute_file(out, fixed)
    assert out.read_bytes() == before  # the input is never modified
    assert result.restored == [f"{BD_SHEET}!{total.address}"]
    assert load_workbook(fixed)[BD_SHEET][total.address].value == total.formula
    assert result.computed["basic.projects_stated.budget"] == Decimal("15.50")
    assert read_workbook(fixed).report.basic.projects_stated.budget is None


def test_percent_cell_in_indicator_reads_as_percent_text(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "t.xlsx"
    fill(seed, out)
    lay = layout_for(seed)
    target = lay.find("self_eval.indicators[2].secondaries[0].rows[0].actual")
    wb = load_workbook(out)
    wb[ZP_SHEET][target.address].value = 0.95
    wb[ZP_SHEET][target.address].number_format = "0%"
    wb.save(out)
    assert read_workbook(out).report.self_eval.indicators[2].secondaries[0].rows[0].actual == "95%"


def test_deleted_row_is_a_structure_error_naming_the_difference(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "t.xlsx"
    fill(seed, out)
    wb = load_workbook(out)
    wb[BD_SHEET].delete_rows(9)  # 其中：公车购置
    wb.save(out)
    with pytest.raises(StructureError) as exc:
        read_workbook(out)
    text = str(exc.value)
    assert "结构与官方模板不一致" in text and "公车运行维护" in text


def test_missing_and_renamed_sheets(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "t.xlsx"
    fill(seed, out)
    wb = load_workbook(out)
    wb[ZP_SHEET].title = "自评表"
    wb.save(out)
    r = read_workbook(out)  # found by its printed title
    assert r.sheet_names[ZP_SHEET] == "自评表"
    assert r.report == seed
    wb = load_workbook(out)
    del wb["自评表"]
    wb.save(out)
    with pytest.raises(StructureError, match="缺少工作表“附件1-2 自评表”"):
        read_workbook(out)


def test_year_label_mismatch_is_bd014(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "t.xlsx"
    fill(seed, out)
    _edit(out, {(BD_SHEET, "B6"): "2021年决算数"})
    r = read_workbook(out)
    assert [(i.code, i.address) for i in r.issues] == [("BD-014", "B6")]


def test_other_files(tmp_path: Path) -> None:
    from perfeval.xlsx.io import WorkbookError

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(WorkbookError, match="损坏"):
        read_workbook(bad)
    with pytest.raises(WorkbookError, match="找不到文件"):
        read_workbook(tmp_path / "none.xlsx")
    with pytest.raises(WorkbookError, match=r"另存为 \.xlsx"):
        read_workbook(tmp_path / "old.xls")
    from openpyxl import Workbook

    other = tmp_path / "other.xlsx"
    Workbook().save(other)
    with pytest.raises(StructureError, match="找不到官方表格"):
        read_workbook(other)
