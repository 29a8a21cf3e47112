"""Project pack on real .xlsx files: fill → extract round trips (Hypothesis), the generated workbook, 计算, 校验
flags and 清除标记 (idempotent), 导出 → 核验, ``new --projects-from`` and ``validate --with`` (X-005)."""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook

from perfeval.cli import main
from perfeval.findings import Severity
from perfeval.flagging import NOTE_MARK, SEVERITY_FILLS
from perfeval.forms.project import FORM
from perfeval.forms.project.model import ProjectBook, fill_indicator_fields
from perfeval.layout import Role
from perfeval.sheets import CALC_SHEET, META_SHEET, RESULTS_SHEET
from perfeval.xlsx.export import ExportBlocked, export_file
from perfeval.xlsx.verify import VerifyStatus, verify_file
from perfeval.xlsx.workflow import clear_file, compute_file, extract, fill, validate_file, write_new
from tests.conftest import load_example
from tests.project_strategies import books
from tests.project_support import as_read, load_projects
from tests.snapshots import snapshot

NOW = dt.datetime(2024, 6, 10, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
UNIT = "怀化市城乡建设事务中心"
SHEETS = ["专项（业务）经费", "污水处理专项业务费", "城市基础设施配套征收经费", "污泥干化处置费", "污水截污干管费用",
          "鹤城一体化燃气规划专项经费"]


@pytest.fixture
def projects_xlsx(tmp_path: Path) -> Path:
    out = tmp_path / "projects.xlsx"
    fill(load_projects(), out)
    return out


@pytest.fixture
def department_xlsx(tmp_path: Path) -> Path:
    out = tmp_path / "department.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), out)
    return out


# --------------------------------------------------------------------------- round trips and the workbook


def test_example_round_trip(projects_xlsx: Path) -> None:
    back = extract(projects_xlsx)
    assert back.issues == []
    assert back.layout.form == "project"
    assert back.report == as_read(load_projects())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books)
def test_property_round_trip(book: ProjectBook) -> None:
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "r.xlsx"
        fill(book, out)
        back = extract(out)
        assert back.issues == []
        assert back.report == fill_indicator_fields(book.model_copy(deep=True))


def test_workbook_sheets_formulas_and_protection(projects_xlsx: Path) -> None:
    wb = load_workbook(projects_xlsx)
    assert wb.sheetnames == [*SHEETS, CALC_SHEET, META_SHEET]
    assert wb[META_SHEET].sheet_state == "hidden"
    ws = wb["鹤城一体化燃气规划专项经费"]
    assert (ws["A1"].value, ws["A2"].value, ws["C3"].value) == ("项目支出绩效自评表", "（2023年度）",
                                                                "鹤城一体化燃气规划专项经费")
    assert (ws["C4"].value, ws["C5"].value) == ("怀化市住房和城乡建设局", UNIT)
    assert ws["G7"].value == '=IF(OR(N(D7)=0,E7=""),"—",N(E7)/N(D7))'  # formulas kept: nothing typed over
    layout = FORM.layout_for(load_projects())
    for cell in layout.cells():
        xl = wb[cell.sheet][cell.address]
        if cell.role == Role.DERIVED and cell.formula:
            assert xl.value == cell.formula and xl.protection.locked is True, cell
        if cell.role == Role.INPUT:
            assert xl.protection.locked is False, cell


def test_new_from_basic_data(department_xlsx: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "new.xlsx"
    assert main(["new", "--form", "project", "--projects-from", str(department_xlsx), "-o", str(out)]) == 0
    assert "6 个本年度项目" in capsys.readouterr().out
    back = extract(out)
    assert load_workbook(out).sheetnames[:6] == SHEETS  # one sheet per 附件1-1 row with 2023 figures
    assert [p.name for p in back.report.projects] == SHEETS
    assert {p.implementer for p in back.report.projects} == {UNIT}
    assert back.report.year == 2023
    # the empty tables match 附件1-1 in names; their amounts are for the unit to type
    blank = tmp_path / "blank.xlsx"
    write_new(blank, form="project", year=2024, n_projects=2)
    assert load_workbook(blank).sheetnames[:2] == ["项目1", "项目2"]


def test_new_department_from_project_tables(projects_xlsx: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """The other way round: a 附件1-1 whose 项目支出 rows are the project sheets' names (10 template rows, the
    first six named); the message counts what the new form took, not what a project form would have taken."""
    out = tmp_path / "dept.xlsx"
    assert main(["new", "--projects-from", str(projects_xlsx), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "6 个本年度项目新建了部门整体支出绩效自评表" in printed and "未列入" not in printed
    back = extract(out).report
    assert [p.name for p in back.basic.projects] == SHEETS
    assert back.year == 2023 and back.basic.unit_name == UNIT


# --------------------------------------------------------------------------- 计算 and 校验


def test_compute_restores_formulas_typed_over(tmp_path: Path) -> None:
    book = load_projects()
    book.projects[1].funds.execution_rate_stated = Decimal("0.9")  # typed over the 执行率 formula
    src = tmp_path / "typed.xlsx"
    fill(book, src)
    out = tmp_path / "computed.xlsx"
    result = compute_file(src, out)
    assert result.restored == ["污水处理专项业务费!G7"]
    wb = load_workbook(out)
    assert wb["污水处理专项业务费"]["G7"].value == '=IF(OR(N(D7)=0,E7=""),"—",N(E7)/N(D7))'
    calc = {c.calc_key: c.address for c in FORM.layout_for(book).sheets[CALC_SHEET].cells if c.calc_key}
    assert wb[CALC_SHEET][calc["calc.profile"]].value == "财政部2020年通用口径（mof-2020）"
    assert wb[CALC_SHEET][calc["calc.projects[5].renormalised_total"]].value == 97  # 87 + 10 (see compute tests)


def _broken(tmp_path: Path) -> Path:
    book = load_projects()
    book.projects[0].funds_carryover.full_year_budget = Decimal("5.00")  # XM-001 at 专项（业务）经费!D7
    book.projects[5].indicators[0].secondaries[2].rows[0].deviation = ""  # ZP-012 at 鹤城…!I{row}
    src = tmp_path / "broken.xlsx"
    fill(book, src)
    return src


def test_findings_flagged_in_place_and_idempotent(tmp_path: Path) -> None:
    src = _broken(tmp_path)
    original = snapshot(src)
    once, twice = tmp_path / "once.xlsx", tmp_path / "twice.xlsx"
    result = validate_file(src, once)
    layout = FORM.layout_for(load_projects())
    deviation = layout.find("projects[5].indicators[0].secondaries[2].rows[0].deviation")
    assert {f.key for f in result.findings.findings} == {("XM-001", "专项（业务）经费", "D7"),
                                                         ("ZP-012", deviation.sheet, deviation.address)}
    wb = load_workbook(once)
    d7 = wb["专项（业务）经费"]["D7"]
    assert d7.fill.fgColor.rgb == SEVERITY_FILLS[Severity.ERROR]
    assert d7.comment.text.startswith(NOTE_MARK) and "XM-001" in d7.comment.text
    assert [r[1] for r in wb[RESULTS_SHEET].iter_rows(min_row=3, values_only=True)] == ["XM-001", "ZP-012"]
    validate_file(once, twice)
    assert snapshot(twice) == snapshot(once)
    cleared, cleared_again = tmp_path / "cleared.xlsx", tmp_path / "cleared2.xlsx"
    assert clear_file(twice, cleared) > 0
    assert snapshot(cleared) == original
    assert clear_file(cleared, cleared_again) == 0
    assert snapshot(cleared_again) == original
    assert snapshot(src) == original  # the input is never modified


# --------------------------------------------------------------------------- 导出 and 核验


def test_export_then_verify(projects_xlsx: Path, tmp_path: Path) -> None:
    result = export_file(projects_xlsx, now=NOW)
    assert result.path.name == f"{UNIT}_2023年项目支出绩效自评表_定稿.xlsx"
    verified = verify_file(result.path)
    assert verified.status == VerifyStatus.INTACT
    assert verified.meta("form") == "project" and verified.unit == UNIT and verified.year == 2023
    final = load_workbook(result.path)
    assert final.sheetnames[:6] == SHEETS
    assert final["污泥干化处置费"]["G7"].value == 1  # frozen: 72.81 / 72.81
    # a value changed after export is found, at its cell
    final["污泥干化处置费"]["E7"].value = 70
    changed = tmp_path / "changed.xlsx"
    final.save(changed)
    again = verify_file(changed)
    assert again.status == VerifyStatus.VALUES_CHANGED
    assert [(c.sheet, c.cell, c.old, c.new) for c in again.changes] == [("污泥干化处置费", "E7", "72.81", "70")]


def test_export_blocked_by_an_error(tmp_path: Path) -> None:
    src = _broken(tmp_path)
    with pytest.raises(ExportBlocked) as info:
        export_file(src, now=NOW)
    assert info.value.kind == "errors"
    assert {f.code for f in info.value.findings} == {"XM-001", "ZP-012"}


# --------------------------------------------------------------------------- X-005 with files


def test_validate_with_basic_data(projects_xlsx: Path, department_xlsx: Path, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert validate_file(projects_xlsx, companion=department_xlsx).findings.findings == []
    assert main(["validate", str(projects_xlsx), "--with", str(department_xlsx)]) == 0
    # 附件1-1 with 鹤城…'s 2023年决算数 changed: the project sheet's 全年执行数 no longer matches
    department = load_example("huaihua-2023-corrected.json")
    department.basic.projects[5].amounts.actual = Decimal("26.99")
    department.basic.projects_stated.actual = None  # keep 附件1-1's own total consistent (formula)
    other = tmp_path / "other.xlsx"
    fill(department, other)
    result = validate_file(projects_xlsx, companion=other)
    assert [f.key for f in result.findings.findings] == [("X-005", "鹤城一体化燃气规划专项经费", "E7")]
    capsys.readouterr()
    assert main(["validate", str(projects_xlsx), "--with", str(other)]) == 1
    assert "26.99" in capsys.readouterr().out
