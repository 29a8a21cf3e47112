"""The committed official template is exactly what the layout data generates."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook

from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.layout import Role
from perfeval.xlsx.workflow import TEMPLATE_FILENAME, TEMPLATE_YEAR, build_templates, template_report
from tests.conftest import ROOT

COMMITTED = ROOT / "workbook_templates" / TEMPLATE_FILENAME.format(year=TEMPLATE_YEAR)


def test_committed_template_equals_fresh_build(tmp_path: Path) -> None:
    built = build_templates(tmp_path)
    assert sorted(p.name for p in built) == sorted(p.name for p in (ROOT / "workbook_templates").glob("*.xlsx"))
    for fresh in built:
        committed = ROOT / "workbook_templates" / fresh.name
        assert fresh.read_bytes() == committed.read_bytes(), (
            f"workbook_templates/{fresh.name} is stale: run `perfeval templates --overwrite` and commit the result"
        )
    again = build_templates(tmp_path / "again")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in built]


def test_template_faithful_to_the_official_form() -> None:
    wb = load_workbook(COMMITTED)
    layout = layout_for(template_report())
    bd, zp = wb[BD_SHEET], wb[ZP_SHEET]
    assert bd["A1"].value == "附件1-1" and bd["A2"].value == "部门整体支出绩效评价基础数据表"
    assert zp["A1"].value == "附件1-2" and zp["A2"].value == "整体支出绩效自评表"
    assert bd["B6"].value == "2024年决算数" and bd["D6"].value == "2025年预算数"
    assert "A2:G2" in {str(r) for r in bd.merged_cells.ranges}
    assert bd["A2"].font.name == "宋体" and bd["A2"].font.bold
    assert bd["A7"].font.name == "仿宋"
    for ws in (bd, zp):
        assert int(ws.page_setup.paperSize) == 9  # A4
        assert ws.page_setup.orientation == "portrait"
        assert ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows
    for cell in layout.cells():
        xl = wb[cell.sheet][cell.address]
        if cell.role == Role.INPUT:
            assert xl.protection.locked is False
            assert xl.fill.fgColor.rgb == "FFFFF2CC"
        if cell.role == Role.DERIVED and cell.formula:
            assert xl.value == cell.formula and xl.protection.locked is True
            assert xl.fill.fgColor.rgb == "FFEDEDED"
        if cell.vtype.value == "amount" and cell.role != Role.LABEL:
            assert xl.number_format == "#,##0.00"
    # no add-in functions anywhere: only native Excel functions in formulas
    import re

    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    assert set(re.findall(r"([A-Z][A-Z0-9.]*)\(", c.value)) <= {"IF", "N", "SUM", "ROUND", "MIN", "OR"}
