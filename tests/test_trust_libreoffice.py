"""One truth with the sheet, proved by a real spreadsheet engine (LibreOffice headless recalculates the file):
numbers typed as text make the sheet's own totals differ from the tool's until 计算 converts them (RD-002), and a
foreign formula's saved value is what 校验 checks (RD-003)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from perfeval.compute import Computed, compute_with_formulas
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.layout import NA_TEXT, Layout, Role, VType
from perfeval.numbers import to_decimal
from perfeval.sheets import CALC_SHEET
from perfeval.xlsx.reader import read_workbook
from perfeval.xlsx.workflow import compute_file, fill, validate_file
from tests.conftest import load_example
from tests.support.libreoffice import convert, recalc_values, require_libreoffice
from tests.test_libreoffice_recalc import formulas_only

pytestmark = pytest.mark.libreoffice


def disagreements(values: dict[str, dict[str, object]], layout: Layout, computed: Computed) -> list[str]:
    """Derived cells (official sheets and 计算结果) whose recalculated value differs from the engine's."""
    out = []
    for cell in layout.cells():
        if cell.role != Role.DERIVED or not cell.formula or cell.calc_key is None:
            continue
        if cell.sheet == CALC_SHEET and cell.calc_key.startswith("calc.indicators"):
            continue  # copies of the 附件1-2 cells
        got, want = values[cell.sheet].get(cell.address), computed[cell.calc_key]
        if want is None:
            same = got == NA_TEXT
        elif isinstance(want, str):
            same = got == want
        else:
            tol = Decimal("0.000001") if cell.vtype == VType.RATE else Decimal("0.005")
            number = to_decimal(got) if isinstance(got, float) else None
            same = number is not None and abs(number - want) <= tol
        if not same:
            out.append(f"{cell.sheet}!{cell.address} {cell.caption}: 表格 {got!r}，引擎 {want}")
    return out


def test_after_compute_the_sheets_own_totals_equal_the_engines_on_text_inputs(tmp_path: Path) -> None:
    require_libreoffice()
    report = formulas_only(load_example("huaihua-2023-corrected.json"))  # every derived cell keeps its formula
    src = tmp_path / "t.xlsx"
    fill(report, src)
    lay = layout_for(report)
    edits = {
        "basic.projects[0].amounts.budget": "80.00万元",  # 80.00 of 项目支出 120.00
        "basic.staff_actual": "40人",
        "self_eval.funds.executed": "781.06万元",  # 执行率 100%, 得分 10
        "self_eval.indicators[0].secondaries[0].rows[0].score": "20分",  # 重点工作完成数 20 of 总分 98
        "self_eval.income_general_public": "６７５．９２",
    }
    wb = load_workbook(src)
    for path, text in edits.items():
        cell = lay.find(path)
        wb[cell.sheet][cell.address].value = text
    wb.save(src)

    read = read_workbook(src)
    assert sorted(i.code or "" for i in read.issues) == ["RD-002"] * len(edits)
    engine = compute_with_formulas(read.report, read.layout)
    projects = lay.find("basic.projects_stated.budget")
    total = lay.find("self_eval.total_score_stated")
    # by hand: 项目支出 = 80.00 + 40.00 = 120.00; 总分 = 20+10+10+10+13+15+10 + 10 × min(781.06/781.06, 1) = 98
    assert engine[projects.calc_key or ""] == Decimal("120.00")
    assert engine[total.calc_key or ""] == Decimal("98.00")

    before = recalc_values(src)
    # the sheet's N()/SUM count the texts as 0: 项目支出 40.00; 总分 98 − 20 − 10 = 68
    assert before[BD_SHEET][projects.address] == 40.0
    assert before[ZP_SHEET][total.address] == 68.0
    assert disagreements(before, lay, engine) != []

    out = tmp_path / "c.xlsx"
    result = compute_file(src, out)
    assert len(result.converted) == len(edits)
    after = recalc_values(out)
    assert disagreements(after, lay, result.computed) == []
    assert after[BD_SHEET][projects.address] == 120.0
    assert after[ZP_SHEET][total.address] == 98.0
    assert not [i for i in read_workbook(out).issues if i.code == "RD-002"]


def test_a_foreign_formula_saved_by_a_spreadsheet_is_checked_by_its_value(tmp_path: Path) -> None:
    require_libreoffice()
    report = formulas_only(load_example("huaihua-2023-corrected.json"))
    report.basic.staff_authorized = 38  # 在职 40 / 编制 38 = 105.26%
    src = tmp_path / "f.xlsx"
    fill(report, src)
    rate = layout_for(report).find("basic.staff_control_rate_stated")
    wb = load_workbook(src)
    wb[BD_SHEET][rate.address].value = "=B5/D5"  # 38/40 = 95%: the ratio inverted
    wb.save(src)
    saved = convert(src, "xlsx", tmp_path / "lo")  # recalculated and saved with every formula's value
    read = read_workbook(saved)
    assert [(i.code, i.address) for i in read.issues] == [("RD-003", rate.address)]
    assert read.report.basic.staff_control_rate_stated == Decimal("0.95")
    findings = validate_file(saved).findings
    assert findings.has_errors
    assert {(f.code, f.cell) for f in findings.findings} >= {("RD-003", rate.address), ("BD-001", rate.address)}
    # the template's own formulas, as LibreOffice writes them back, are no finding
    plain = tmp_path / "p.xlsx"
    fill(report, plain)
    assert read_workbook(convert(plain, "xlsx", tmp_path / "lo2")).issues == []
