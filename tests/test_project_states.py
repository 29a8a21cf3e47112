"""Project workbook states in detail: each restructuring of tests/workbook_states.py does what its recipe says (so
the property suite really meets those states), and the product bugs the states and the corpus found stay fixed.

Expected findings follow the rule catalogue (XM-004 sheet name vs 项目名称, XM-005 a project on two sheets, XM-007
another 评价年度); nothing here is copied from a run.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from openpyxl import load_workbook
from workbook_states import Restructure, WorkbookState

from perfeval.cli import main
from perfeval.forms.project import FORM
from perfeval.forms.project.layout import MAX_PROJECT_SHEETS
from perfeval.reading import StructureError
from perfeval.sheets import CALC_SHEET
from perfeval.xlsx.io import WorkbookError
from perfeval.xlsx.workflow import compute_file, extract, fill, validate_file
from tests.conftest import load_example
from tests.project_support import load_projects

EXAMPLE = WorkbookState("example-as-is", 2023, 6, form="project")
FIRST, SECOND, THIRD = "专项（业务）经费", "污水处理专项业务费", "城市基础设施配套征收经费"


def _codes(path: Path) -> dict[str, list[str]]:
    """Finding code → the sheets it is reported on."""
    out: dict[str, list[str]] = {}
    for f in validate_file(path).findings.findings:
        out.setdefault(f.code, []).append(f.sheet)
    return out


def _state(tmp_path: Path, *changes: Restructure, base: WorkbookState = EXAMPLE) -> Path:
    state = WorkbookState(base.base, base.year, base.n_projects, form="project", sheet_rows=base.sheet_rows,
                          keep=base.keep, restructure=changes)
    return state.write(tmp_path / "state.xlsx")


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        rc = main(argv)
    return rc, out.getvalue() + err.getvalue()


# --------------------------------------------------------------------------- the restructurings


def test_the_example_state_is_clean(tmp_path: Path) -> None:
    assert _codes(EXAMPLE.write(tmp_path / "example.xlsx")) == {}


def test_rename_follows_in_formulas_and_warns(tmp_path: Path) -> None:
    src = _state(tmp_path, Restructure("rename", 1, value="新项目"))
    wb = load_workbook(src)
    assert wb.sheetnames[1] == "新项目"
    formulas = [c.value for row in wb[CALC_SHEET].iter_rows() for c in row if c.data_type == "f"]
    assert any("'新项目'!" in f for f in formulas) and not any(f"'{SECOND}'!" in f for f in formulas)
    assert _codes(src) == {"XM-004": ["新项目"]}  # the sheet no longer carries its 项目名称


def test_swap_keeps_every_project(tmp_path: Path) -> None:
    src = _state(tmp_path, Restructure("swap", 0, 2))
    assert load_workbook(src).sheetnames[:3] == [THIRD, SECOND, FIRST]
    assert [p.name for p in extract(src).report.projects][:3] == [THIRD, SECOND, FIRST]
    assert _codes(src) == {}


def test_copy_is_a_second_sheet_of_the_same_project(tmp_path: Path) -> None:
    src = _state(tmp_path, Restructure("copy", 0))
    assert load_workbook(src).sheetnames[:3] == [FIRST, f"{FIRST} (2)", SECOND]
    codes = _codes(src)
    assert codes["XM-004"] == [f"{FIRST} (2)"]  # its name is the project's, not the sheet's
    assert set(codes["XM-005"]) <= {FIRST, f"{FIRST} (2)"} and codes["XM-005"]


def test_name_mismatch_and_duplicate_name(tmp_path: Path) -> None:
    name_cell = FORM.layout_for(load_projects()).find("projects[2].name").address
    src = _state(tmp_path, Restructure("name-mismatch", 2, address=name_cell, value="另一个项目"))
    assert _codes(src) == {"XM-004": [THIRD]}
    src = _state(tmp_path, Restructure("duplicate-name", 1, 0, address=name_cell))
    codes = _codes(src)
    assert codes["XM-004"] == [SECOND] and codes["XM-005"]


def test_year_of_a_later_sheet(tmp_path: Path) -> None:
    src = _state(tmp_path, Restructure("year", 2, address="A2", value="（2022年度）"))
    assert _codes(src) == {"XM-007": [THIRD]}


# --------------------------------------------------------------------------- bugs found, fixed


def test_compute_after_a_sheet_was_copied(tmp_path: Path) -> None:
    """The old 计算结果 (2 projects) had merged rows where the layout of 3 projects puts formulas: compute wrote into a
    merged-over cell (AttributeError, exit 3). Found by the property suite: base "new", 2 sheets, a copy."""
    src = _state(tmp_path, Restructure("copy", 0), base=WorkbookState("new", 2025, 2, form="project"))
    out = tmp_path / "computed.xlsx"
    rc, text = _run(["compute", str(src), "-o", str(out)])
    assert rc == 0, text
    calc = load_workbook(out)[CALC_SHEET]
    names = [calc[f"A{r}"].value for r in range(5, 8)]
    assert names == ["=IF('项目1'!C3=\"\",\"\",'项目1'!C3)", "=IF('项目1 (2)'!C3=\"\",\"\",'项目1 (2)'!C3)",
                     "=IF('项目2'!C3=\"\",\"\",'项目2'!C3)"]


def test_compute_with_a_merge_over_derived_cells(tmp_path: Path) -> None:
    """A unit's merge over the funds block covers the derived 执行率 cells: compute leaves them (they hold nothing)."""
    src = EXAMPLE.write(tmp_path / "merged.xlsx")
    wb = load_workbook(src)
    wb[FIRST].merge_cells("C7:H10")
    wb.save(src)
    assert compute_file(src, tmp_path / "out.xlsx").restored == []


def _two_forms(tmp_path: Path) -> Path:
    dept = tmp_path / "dept.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), dept)
    src = EXAMPLE.write(tmp_path / "both.xlsx")
    wb, other = load_workbook(src), load_workbook(dept)
    ws = wb.create_sheet("附件1-1 基础数据表")
    for row in other["附件1-1 基础数据表"].iter_rows(max_row=3):
        for c in row:
            if c.value is not None:
                ws.cell(row=c.row, column=c.column, value=c.value)
    wb.save(src)
    return src


def test_two_forms_in_one_workbook(tmp_path: Path) -> None:
    src = _two_forms(tmp_path)
    with pytest.raises(StructureError) as info:
        extract(src)
    assert "同时有几种表格：部门整体支出绩效自评表（附件1-1、附件1-2）、项目支出绩效自评表" in str(info.value)


def test_with_needs_a_form_with_cross_rules_and_the_other_form(tmp_path: Path) -> None:
    dept, proj = tmp_path / "部门表.xlsx", EXAMPLE.write(tmp_path / "项目表.xlsx")
    fill(load_example("huaihua-2023-corrected.json"), dept)
    assert validate_file(proj, companion=dept).findings.findings == []
    with pytest.raises(WorkbookError) as info:
        validate_file(dept, companion=proj)
    assert "没有与其他工作簿交叉核对的规则，不能使用 --with（--with 用于：项目支出绩效自评表" in str(info.value)
    with pytest.raises(WorkbookError, match="是同一种表格（项目支出绩效自评表）"):
        validate_file(proj, companion=proj)
    rc, text = _run(["validate", str(dept), "--with", str(proj)])
    assert rc == 2 and "不能使用 --with" in text


def test_companion_structure_error_names_the_file(tmp_path: Path) -> None:
    proj, bad = EXAMPLE.write(tmp_path / "项目表.xlsx"), tmp_path / "坏的部门表.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), bad)
    wb = load_workbook(bad)
    wb["附件1-1 基础数据表"].delete_rows(8)
    wb.save(bad)
    with pytest.raises(StructureError) as info:
        validate_file(proj, companion=bad)
    assert str(info.value).startswith("用于交叉核对的工作簿 坏的部门表.xlsx：工作表“附件1-1 基础数据表”")
    assert info.value.differences  # the details survive


def test_sheet_name_excel_forbids(tmp_path: Path) -> None:
    import re
    import zipfile

    src = EXAMPLE.write(tmp_path / "ok.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            body = zin.read(info)
            if info.filename == "xl/workbook.xml":
                body = re.sub(f'name="{SECOND}"'.encode(), 'name="项目/二期"'.encode(), body)
            zout.writestr(info, body)
    rc, text = _run(["validate", str(bad)])
    assert rc == 2
    assert "有工作表的名称含有 Excel 不允许的字符“/”" in text and "ValueError" not in text


def test_limit_is_the_one_the_corpus_exceeds() -> None:
    assert MAX_PROJECT_SHEETS == 500  # tests/corpus.py: project_600_sheets.xlsx, data_projects_501.json
