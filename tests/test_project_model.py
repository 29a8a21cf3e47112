"""Project pack: model, sheet names, layout (addresses and native formulas), the blank workbook, the registry."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfeval import forms
from perfeval.config import DEFAULT_CONFIG
from perfeval.forms.base import BlankOptions, ListedProject
from perfeval.forms.project import FORM
from perfeval.forms.project.layout import (
    MAX_BOOK_INDICATOR_ROWS,
    MAX_PROJECT_SHEETS,
    Shape,
    SheetShape,
    build_layout,
    check_book_shape,
    safe_sheet_name,
    sheet_names,
)
from perfeval.forms.project.model import ProjectBook, ProjectTable, fill_indicator_fields, indicator_fields
from perfeval.layout import Role
from perfeval.limits import LimitError
from perfeval.model import Level1, Level2, Level3
from perfeval.paths import get_path
from perfeval.rules import list_rules
from perfeval.scoring import Direction, score_indicator
from perfeval.sheets import CALC_SHEET
from tests.project_support import load_projects

D = Decimal


# --------------------------------------------------------------------------- sheet names


def test_sheet_names_made_safe_unique_and_never_reserved() -> None:
    names = ["a/b", "", "x" * 40, "计算结果", "History", "A", "a", "'q'", "y" * 40, "y" * 40, "c\nd", "", "项目12"]
    assert sheet_names(names) == [
        "a／b",  # Excel refuses / in a name: its full-width form
        "项目2",  # blank: by position
        "x" * 31,  # at most 31 characters
        "计算结果(2)",  # the tool's own sheet
        "History(2)",  # Excel's reserved name
        "A",
        "a(2)",  # Excel compares names case-insensitively
        "q",  # no leading or trailing apostrophe
        "y" * 31,
        "y" * 28 + "(2)",  # suffix within the 31 characters
        "c d",  # control characters and line breaks
        "项目12",  # position 12
        "项目12(2)",  # a project really called 项目12 after it
    ]


def test_safe_sheet_name_counts_utf16_units() -> None:
    # Excel counts a character outside the BMP as two: 20 emoji are 40 units, 15 of them are 30 ≤ 31.
    assert safe_sheet_name("😀" * 20) == "😀" * 15
    assert safe_sheet_name("[甲]:*?\\") == "［甲］：＊？＼"
    assert safe_sheet_name("  \t ") == ""


# --------------------------------------------------------------------------- layout


def _book(names: list[str], l2_rows: tuple[tuple[int, ...], ...] = ((2, 1), (1,), (1,))) -> ProjectBook:
    def table(name: str) -> ProjectTable:
        return ProjectTable(name=name, indicators=[
            Level1(name=f"一级{i1}", weight=D(10), secondaries=[
                Level2(name=f"二级{i1}{i2}", rows=[Level3() for _ in range(n)]) for i2, n in enumerate(rows)])
            for i1, rows in enumerate(l2_rows)])

    return ProjectBook(year=2023, projects=[table(n) for n in names])


def test_layout_addresses() -> None:
    layout = FORM.layout_for(_book(["项目A", "项目B"]))
    assert layout.form == "project" and layout.year == 2023
    assert layout.official == ("项目A", "项目B")
    assert list(layout.sheets) == ["项目A", "项目B", CALC_SHEET]
    # rows: 3–5 header, 6 funds head, 7 年度资金总额, 8–10 其中, 11 goal head, 12 goal, 13 indicator head,
    # 14–18 the five 三级 rows (2 + 1 + 1 + 1), 19 总分
    where = {
        "projects[1].name": ("项目B", "C3"), "projects[0].department": ("项目A", "C4"),
        "projects[0].implementer": ("项目A", "C5"), "projects[0].funds.initial_budget": ("项目A", "C7"),
        "projects[0].funds.full_year_budget": ("项目A", "D7"), "projects[0].funds.executed": ("项目A", "E7"),
        "projects[0].funds.weight": ("项目A", "F7"), "projects[0].funds.execution_rate_stated": ("项目A", "G7"),
        "projects[0].funds.score_stated": ("项目A", "H7"),
        "projects[0].funds_current.initial_budget": ("项目A", "C8"),
        "projects[0].funds_carryover.full_year_budget": ("项目A", "D9"),
        "projects[0].funds_other.executed": ("项目A", "E10"),
        "projects[0].funds_other.execution_rate_stated": ("项目A", "G10"),
        "projects[0].goal_expected": ("项目A", "B12"), "projects[0].goal_actual": ("项目A", "F12"),
        "projects[0].indicators[0]": ("项目A", "B14"),
        "projects[0].indicators[0].secondaries[1].name": ("项目A", "C16"),
        "projects[0].indicators[0].secondaries[0].rows[1].target": ("项目A", "E15"),
        "projects[0].indicators[2].secondaries[0].rows[0].deviation": ("项目A", "I18"),
        "projects[0].total_weight_stated": ("项目A", "G19"), "projects[1].total_score_stated": ("项目B", "H19"),
    }
    for path, (sheet, address) in where.items():
        cell = layout.find(path)
        assert (cell.sheet, cell.address) == (sheet, address), path
    labels = {(c.sheet, c.address): c.text for c in layout.cells() if c.role == Role.LABEL}
    assert labels[("项目A", "A1")] == "项目支出绩效自评表"
    assert labels[("项目A", "A2")] == "（2023年度）"
    assert labels[("项目A", "A6")] == "项目资金（万元）"
    assert labels[("项目A", "B8")] == "其中：当年财政拨款"
    assert labels[("项目A", "F8")] == labels[("项目A", "H10")] == "—"  # 其中 lines have no 分值 / 得分
    assert labels[("项目A", "A19")] == "总分"


def test_native_formulas() -> None:
    layout = FORM.layout_for(_book(["A'B"]))
    f = {c.address: c.formula for c in layout.sheets["A'B"].cells if c.formula}
    assert f["G7"] == '=IF(OR(N(D7)=0,E7=""),"—",N(E7)/N(D7))'
    assert f["H7"] == '=IF(OR(N(D7)=0,E7="",F7=""),"—",ROUND(N(F7)*MIN(N(E7)/N(D7),1),2))'
    assert f["G9"] == '=IF(OR(N(D9)=0,E9=""),"—",N(E9)/N(D9))'
    assert f["G19"] == "=SUM(G14:G18)+N(F7)"
    assert f["H19"] == "=SUM(H14:H18)+N(H7)"
    assert set(f) == {"G7", "H7", "G8", "G9", "G10", "G19", "H19"}
    calc = {c.calc_key: c.formula for c in layout.sheets[CALC_SHEET].cells if c.calc_key}
    # a quote in the sheet name is doubled inside the quoted reference
    assert calc["calc.projects[0].total_score"] == "=N('A''B'!H19)"
    assert calc["calc.projects[0].parts.executed"] == "=N('A''B'!E8)+N('A''B'!E9)+N('A''B'!E10)"
    assert calc["calc.projects[0].renormalised_total"] is None  # engine only
    weight = calc["calc.projects[0].indicators[1].secondaries[0].rows[0].weight"]
    assert weight == "=IF('A''B'!G17=\"\",\"\",'A''B'!G17)"


def test_every_path_resolves_and_every_formula_cell_is_computed() -> None:
    book = load_projects()
    layout = FORM.layout_for(book)
    computed = FORM.compute(book, DEFAULT_CONFIG)
    for cell in layout.cells():
        if cell.path is not None:
            get_path(book, cell.path)  # raises if the layout names a field the model lacks
        if cell.role == Role.DERIVED and cell.calc_key and not (
                cell.sheet == CALC_SHEET and cell.calc_key.endswith((".name", ".weight", ".score"))
                and ".indicators[" in cell.calc_key):
            assert cell.calc_key in computed, cell


def test_layout_limits() -> None:
    with pytest.raises(LimitError, match="500"):
        check_book_shape(MAX_PROJECT_SHEETS + 1, [1] * (MAX_PROJECT_SHEETS + 1))
    with pytest.raises(LimitError, match="三级指标"):
        check_book_shape(10, [MAX_BOOK_INDICATOR_ROWS // 10 + 1] * 10)
    with pytest.raises(LimitError):
        check_book_shape(1, [1001])  # one sheet above the per-table limit
    check_book_shape(5, [1000] * 5)
    with pytest.raises(ValueError, match="unique"):
        build_layout(Shape(year=2023, sheets=(SheetShape(name="A", indicator_rows=((1,),)),
                                              SheetShape(name="a", indicator_rows=((1,),)))))


# --------------------------------------------------------------------------- 指标性质 / 度量单位


def test_indicator_fields_from_the_target_text() -> None:
    assert indicator_fields("≥90%") == ("≥", "%")
    assert indicator_fields("≤80.00万元") == ("≤", "万元")
    assert indicator_fields("2次") == ("", "次")
    assert indicator_fields("效果明显") == ("定性", "")
    assert indicator_fields("≤财政预算指标控制数") == ("≤", "")
    assert indicator_fields("2023年12月31日前") == ("≤", "")
    assert indicator_fields("无") == ("", "")
    assert indicator_fields("") == ("", "")


def test_fill_keeps_explicit_fields() -> None:
    book = _book(["A"], ((2,),))
    rows = book.projects[0].indicators[0].secondaries[0].rows
    rows[0].target, rows[1].target, rows[1].comparator = "≥90%", "90%", "≥"
    fill_indicator_fields(book)
    assert (rows[0].comparator, rows[0].unit) == ("≥", "%")
    assert (rows[1].comparator, rows[1].unit) == ("≥", "%")


def test_explicit_comparator_scores_a_target_without_one() -> None:
    """指标性质 ≤ on a target written “90%”: 反向, 95 against 90 → min(90/95, 1) × 10 = 9.4736… → 9.47."""
    row = Level3(name="抽检不合格率", target="90%", actual="95%", weight=D(10), comparator="≤")
    result = score_indicator(row.name, row.scoring_target(), row.actual, row.weight)
    assert (result.direction, result.suggested_score) == (Direction.NEGATIVE, D("9.47"))
    # without the field the bare number is 正向: min(95/90, 1) × 10 = 10.00
    plain = score_indicator(row.name, row.target, row.actual, row.weight)
    assert (plain.direction, plain.suggested_score) == (Direction.POSITIVE, D("10.00"))
    # the text wins when it says something: ≥90% stays 正向 whatever the field says
    row.target = "≥90%"
    assert score_indicator(row.name, row.scoring_target(), row.actual, row.weight).direction == Direction.POSITIVE
    # the project compute uses it: the suggestion of that row in 计算结果
    book = _book(["A"], ((1,),))
    book.projects[0].indicators[0].secondaries[0].rows[0] = Level3(
        name="抽检不合格率", target="90%", actual="95%", weight=D(10), comparator="≤")
    computed = FORM.compute(book, DEFAULT_CONFIG)
    assert computed["calc.projects[0].indicators[0].secondaries[0].rows[0].suggested"] == D("9.47")


# --------------------------------------------------------------------------- blank workbook and registry


def test_blank_from_listed_projects() -> None:
    listed = [
        ListedProject(name="6.鹤城一体化燃气规划专项经费", budget=D("40.00"), actual=D("27.99")),
        ListedProject(name="7.燃气专项整治费", budget=D("0.00"), actual=D("0.00"), prev_actual=D("19.22")),  # closed
        ListedProject(name="  ", budget=D(1)),
        ListedProject(name="2.污水处理专项业务费", budget=D("0.00"), actual=D("25.13")),
    ]
    config = DEFAULT_CONFIG.model_copy(update={"funds_weight": D(20)})
    book = FORM.blank(BlankOptions(year=2024, unit_name="测试单位", projects=listed, n_projects=7), config)
    assert isinstance(book, ProjectBook)
    assert [p.name for p in book.projects] == ["鹤城一体化燃气规划专项经费", "污水处理专项业务费"]
    assert FORM.layout_for(book).official == ("鹤城一体化燃气规划专项经费", "污水处理专项业务费")
    p = book.projects[0]
    assert (p.implementer, p.department, p.funds.weight, p.funds.executed) == ("测试单位", "", D(20), None)
    assert [(l1.name, l1.weight) for l1 in p.indicators] == [("产出指标", D(50)), ("效益指标", D(30)),
                                                            ("满意度指标", D(10))]
    assert [l2.name for l2 in p.indicators[0].secondaries] == ["数量指标", "质量指标", "时效指标", "成本指标"]


def test_blank_without_listed_projects() -> None:
    assert FORM.layout_for(FORM.blank(BlankOptions(year=2024), DEFAULT_CONFIG)).official == ("项目1",)
    only_closed = [ListedProject(name="燃气专项整治费", prev_actual=D("19.22"))]
    book = FORM.blank(BlankOptions(year=2024, n_projects=3, projects=only_closed), DEFAULT_CONFIG)
    assert FORM.layout_for(book).official == ("项目1", "项目2", "项目3")


def test_registry_and_catalogue() -> None:
    book = load_projects()
    assert forms.get("project") is FORM
    assert forms.for_report(book) is FORM
    assert FORM.unit_name(book) == "怀化市城乡建设事务中心"
    codes = [info.code for info in list_rules()]
    for code in ("XM-001", "XM-002", "XM-003", "XM-004", "XM-005", "XM-006", "XM-007", "X-005", "ZP-004", "ZP-019"):
        assert codes.count(code) == 1, code
    assert {r.code for r in FORM.rules()} >= {"ZP-004", "ZP-009", "ZP-011", "ZP-012", "ZP-016", "XM-001"}
    listed = FORM.listed_projects(book)
    assert [(p.name, p.initial_budget, p.budget, p.actual) for p in listed[:1]] == [(
        "专项（业务）经费", D("80.00"), D("58.14"), D("58.14"))]
    assert len(listed) == 6
    assert [t.prefix for t in FORM.indicator_tables(book)] == [f"projects[{i}]" for i in range(6)]
