"""Project pack reader on value grids (what the add-in reads from a live Excel; the file-level round trip through
openpyxl is in test_project_files): the example and arbitrary books come back as written, label variants are
accepted, structure problems are named."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from perfeval import forms
from perfeval.findings import Severity
from perfeval.forms.project import FORM
from perfeval.forms.project.model import ProjectBook, fill_indicator_fields
from perfeval.layout import Role
from perfeval.reading import StructureError, ValuesBook
from perfeval.rules import run_rules
from tests.project_strategies import books
from tests.project_support import as_read, grid, load_projects


def test_example_round_trip() -> None:
    book = load_projects()
    result = FORM.read(grid(book))
    assert result.issues == []
    assert result.report == as_read(book)
    assert result.layout == FORM.layout_for(book)
    assert result.sheet_names["鹤城一体化燃气规划专项经费"] == "鹤城一体化燃气规划专项经费"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books)
def test_property_round_trip_on_values(book: ProjectBook) -> None:
    result = FORM.read(grid(book))
    assert [i for i in result.issues if i.code != "RD-004"] == []
    expected = fill_indicator_fields(book.model_copy(deep=True))
    assert result.report == expected


def test_recognised_among_forms() -> None:
    g = grid(load_projects())
    assert forms.recognise(g) is FORM
    assert not FORM.recognise(ValuesBook({"Sheet1": [["附件1-1"], ["部门整体支出绩效评价基础数据表"]]}))


def _label_address(book: ProjectBook, sheet: str, text: str) -> str:
    layout = FORM.layout_for(book)
    return next(c.address for c in layout.sheets[sheet].cells if c.role == Role.LABEL and c.text == text)


def test_printed_variants_accepted() -> None:
    book = load_projects()
    s = "污泥干化处置费"
    overrides: dict[tuple[str, str], Any] = {
        (s, "B8"): "其中：本年财政拨款",  # many sites print 本年 for 当年 (wave2.md §1)
        (s, "D6"): "全年预算数（A）", (s, "E6"): "全年执行数(B)", (s, "G6"): "执行率（B/A）",
        (s, "F8"): None, (s, "H10"): None,  # "—" left blank
        (s, _label_address(book, s, "年度\n指标值")): "年度指标值（A）",
        (s, _label_address(book, s, "实际完\n成值")): "实际完成值（B）",
    }
    result = FORM.read(grid(book, overrides=overrides))
    assert result.issues == []
    assert result.report == as_read(book)


def test_other_year_on_a_later_sheet() -> None:
    book = load_projects()
    result = FORM.read(grid(book, overrides={("污泥干化处置费", "A2"): "（2022年度）"}))
    assert result.report.year == 2023
    assert [(i.code, i.sheet, i.address) for i in result.issues] == [("XM-007", "污泥干化处置费", "A2")]
    findings = run_rules(result.report, result.layout, read_issues=result.issues)
    assert [(f.code, f.severity, f.cell) for f in findings.findings] == [("XM-007", Severity.ERROR, "A2")]
    assert "2022年" in findings.findings[0].message and "（2023年度）" in findings.findings[0].message


def test_structure_differences_are_named() -> None:
    book = load_projects()
    with pytest.raises(StructureError, match="上年结转资金"):
        FORM.read(grid(book, overrides={("污泥干化处置费", "B9"): "上年结余资金"}))
    layout = FORM.layout_for(book)
    total = layout.find("projects[0].total_score_stated")
    with pytest.raises(StructureError, match="总分"):
        FORM.read(grid(book, overrides={("专项（业务）经费", f"A{total.address[1:]}"): None}))
    with pytest.raises(StructureError, match="评价年度"):
        FORM.read(grid(book, overrides={("专项（业务）经费", "A2"): None}))
    with pytest.raises(StructureError, match="找不到项目支出绩效自评表"):
        FORM.read(ValuesBook({"Sheet1": [["项目名称"]]}))


def test_reserved_sheet_name_refused() -> None:
    book = load_projects()
    g = grid(book)
    sheets = {("计算结果" if n == "污泥干化处置费" else n): g[n].rows for n in g.sheetnames}
    with pytest.raises(StructureError, match="保留"):
        FORM.read(ValuesBook(sheets))


def test_hidden_or_moved_sheet_is_rd005() -> None:
    book = load_projects()
    g = grid(book)
    sheets = {"说明": [["本工作簿说明"]], **{n: g[n].rows for n in g.sheetnames}}
    result = FORM.read(ValuesBook(sheets, hidden=frozenset({"污泥干化处置费"})))
    rd5 = [(i.sheet, i.address) for i in result.issues if i.code == "RD-005"]
    assert rd5 == [(n, "A1") for n in FORM.layout_for(book).official]  # every sheet one place down; one hidden
    assert "已隐藏" in next(i.message for i in result.issues if i.sheet == "污泥干化处置费")
