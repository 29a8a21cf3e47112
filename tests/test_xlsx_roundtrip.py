"""fill → extract round trips on real .xlsx files, and the generated workbook's structure."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.forms.department.model import Report
from perfeval.layout import Role
from perfeval.sheets import CALC_SHEET, META_SHEET
from perfeval.xlsx.workflow import extract, fill
from tests.strategies import reports


def test_seed_round_trip(tmp_path: Path, seed: Report) -> None:
    out = tmp_path / "seed.xlsx"
    fill(seed, out)
    back = extract(out)
    assert back.issues == []
    assert back.report == seed


def test_seed_workbook_keeps_stated_values_and_formulas(seed_xlsx: Path, seed: Report) -> None:
    wb = load_workbook(seed_xlsx)
    layout = layout_for(seed)
    bd, zp = wb[BD_SHEET], wb[ZP_SHEET]
    rate = layout.find("basic.staff_control_rate_stated")
    assert bd[rate.address].value == 0.95  # as printed (typed over the formula)
    # The unit typed every total in the seed; a blank report keeps the native formulas instead.
    assert zp[layout.find("self_eval.total_score_stated").address].value == 98
    assert wb.sheetnames == [BD_SHEET, ZP_SHEET, CALC_SHEET, META_SHEET]
    assert wb[META_SHEET].sheet_state == "hidden"
    assert bd["B3"].value == "怀化市城乡建设事务中心"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_property_round_trip(tmp_path_factory: object, report: Report) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "r.xlsx"
        fill(report, out)
        back = extract(out)
        assert back.issues == []
        assert back.report == report


def test_formula_cells_in_blank_report(tmp_path: Path) -> None:
    from perfeval.forms.department.model import blank_report

    report = blank_report(2024, "测试单位", n_projects=3)
    out = tmp_path / "blank.xlsx"
    fill(report, out)
    wb = load_workbook(out)
    layout = layout_for(report)
    for cell in layout.cells():
        value = wb[cell.sheet][cell.address].value
        if cell.role == Role.DERIVED and cell.formula:
            assert value == cell.formula, cell
        if cell.role == Role.INPUT:
            assert wb[cell.sheet][cell.address].protection.locked is False
        if cell.role in (Role.DERIVED, Role.LABEL):
            assert wb[cell.sheet][cell.address].protection.locked is True
    assert extract(out).report == report.model_copy(update={"basic": report.basic.model_copy(
        update={"projects": []})})  # unused blank project rows are not projects
