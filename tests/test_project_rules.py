"""Project pack rules: the example is clean; breaking one identity at a time fires exactly its rule at its cell
(the project rules XM-* and the shared 自评表 rules run on each project sheet); X-005 against 附件1-1."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from perfeval import forms
from perfeval.findings import FindingReport, Severity
from perfeval.forms.department.model import Report
from perfeval.forms.project import FORM
from perfeval.forms.project.layout import Shape
from perfeval.forms.project.model import ProjectBook
from perfeval.layout import Layout
from perfeval.rules import run_rules
from tests.project_support import EXAMPLES, load_projects

D = Decimal
Located = set[tuple[str, str, str]]
ROW = "projects[{}].indicators[{}].secondaries[{}].rows[{}].{}"


def located(report: FindingReport) -> Located:
    return {(f.code, f.sheet, f.cell) for f in report.findings}


def at(layout: Layout, code: str, path: str) -> tuple[str, str, str]:
    cell = layout.find(path)
    return code, cell.sheet, cell.address


def test_example_is_clean() -> None:
    assert run_rules(load_projects()).findings == []


# --------------------------------------------------------------------------- one identity at a time

Breaker = Callable[[ProjectBook], None]


def _set(path_value: dict[str, object]) -> Breaker:
    from perfeval.paths import set_path

    def apply(book: ProjectBook) -> None:
        for path, value in path_value.items():
            set_path(book, path, value)

    return apply


BREAKERS: dict[str, tuple[Breaker, str, str]] = {
    # Σ其中 全年预算数: 58.14 + 5.00 + 0.00 = 63.14 ≠ 年度资金总额 58.14
    "parts-sum": (_set({"projects[0].funds_carryover.full_year_budget": D("5.00")}), "XM-001",
                  "projects[0].funds.full_year_budget"),
    # 当年财政拨款 执行率 typed 90% while 25.13 / 25.13 = 100%
    "part-rate": (_set({"projects[1].funds_current.execution_rate_stated": D("0.9")}), "XM-002",
                  "projects[1].funds_current.execution_rate_stated"),
    # 其他资金 0.00 / 0.00 typed as 0: the rate is not applicable ("—")
    "part-rate-zero": (_set({"projects[1].funds_other.execution_rate_stated": D(0)}), "XM-002",
                       "projects[1].funds_other.execution_rate_stated"),
    # 1.00 of the 32.00 moved from 当年财政拨款 to 其他资金 (Σ still 32.00), whose budget is 0.00
    "part-over": (_set({"projects[2].funds_current.executed": D("31.00"),
                        "projects[2].funds_other.executed": D("1.00")}),
                  "XM-003", "projects[2].funds_other.executed"),
    # 指标性质 ≤ against a 年度指标值 that says ≥12期
    "nature": (_set({ROW.format(0, 0, 0, 0, "comparator"): "≤"}), "XM-006", ROW.format(0, 0, 0, 0, "target")),
    "unit": (_set({ROW.format(0, 0, 0, 0, "unit"): "次"}), "XM-006", ROW.format(0, 0, 0, 0, "target")),
    # the shared 自评表 rules, on a project sheet
    "rate": (_set({"projects[2].funds.execution_rate_stated": D("0.9")}), "ZP-004",
             "projects[2].funds.execution_rate_stated"),
    "score": (_set({"projects[2].funds.score_stated": D(9)}), "ZP-005", "projects[2].funds.score_stated"),
    # Σ分值 = 90 + 9 = 99 ≠ 100
    "weights": (_set({"projects[3].funds.weight": D(9)}), "ZP-009", "projects[3].total_weight_stated"),
    # 得分 11 above 分值 10
    "score-range": (_set({ROW.format(4, 0, 0, 1, "score"): D(11)}), "ZP-011", ROW.format(4, 0, 0, 1, "score")),
    # 7/10 with its 偏差原因 cleared
    "deviation": (_set({ROW.format(5, 0, 2, 0, "deviation"): ""}), "ZP-012", ROW.format(5, 0, 2, 0, "deviation")),
    # 9/10 = 90% is 达成 while the 实际完成值 says 部分达成
    "band": (_set({ROW.format(5, 0, 2, 0, "score"): D(9)}), "ZP-016", ROW.format(5, 0, 2, 0, "score")),
    "required": (_set({"projects[4].department": ""}), "ZP-019", "projects[4].department"),
}


@pytest.mark.parametrize("case", sorted(BREAKERS))
def test_one_identity_at_a_time(case: str) -> None:
    breaker, code, path = BREAKERS[case]
    book = load_projects()
    breaker(book)
    layout = FORM.layout_for(book)
    assert located(run_rules(book, layout)) == {at(layout, code, path)}


def test_messages_show_the_numbers() -> None:
    book = load_projects()
    BREAKERS["parts-sum"][0](book)
    (f,) = run_rules(book).findings
    assert f.severity == Severity.ERROR
    assert "58.14 + 5.00 + 0.00 = 63.14" in f.message and "58.14" in f.message and f.sheet == "专项（业务）经费"
    book = load_projects()
    BREAKERS["nature"][0](book)
    (f,) = run_rules(book).findings
    assert f.message == ("“建筑材料价格信息发布期数”的指标性质为“≤”，而年度指标值“≥12期”写的是“≥”"
                         "（打印的表格只显示年度指标值）")


def test_sheet_name_mismatch() -> None:
    book = load_projects()
    shape = Shape.of(book)
    renamed = shape.model_copy(update={"sheets": tuple(
        s.model_copy(update={"name": "Sheet4"}) if i == 3 else s for i, s in enumerate(shape.sheets))})
    from perfeval.forms.project.layout import build_layout

    layout = build_layout(renamed)
    findings = run_rules(book, layout)
    assert located(findings) == {("XM-004", "Sheet4", "C3")}
    assert findings.findings[0].message == ("工作表名称“Sheet4”与项目名称“污泥干化处置费”不一致，"
                                            "建议把工作表改名为“污泥干化处置费”")
    assert findings.findings[0].severity == Severity.WARNING


def test_duplicate_projects() -> None:
    book = load_projects()
    book.projects[4].name = "（污泥干化处置费）"  # the same project once brackets are set aside
    layout = FORM.layout_for(book)
    findings = run_rules(book, layout)
    assert located(findings) == {("XM-005", "（污泥干化处置费）", "C3")}
    assert "污泥干化处置费" in findings.findings[0].message


# --------------------------------------------------------------------------- X-005 against 附件1-1


def _department(name: str = "huaihua-2023-corrected.json") -> Report:
    report = forms.get("department").parse_json((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(report, Report)
    return report


def cross(book: ProjectBook, department: Report, layout: Layout | None = None) -> FindingReport:
    return run_rules(book, layout, extra=FORM.cross_rules(),
                     context={"companion": (forms.get("department"), department)})


@pytest.mark.parametrize("name", ["huaihua-2023-corrected.json", "huaihua-2023.json"])
def test_x005_silent_on_the_seed(name: str) -> None:
    assert cross(load_projects(), _department(name)).findings == []


def test_x005_mismatched_amount() -> None:
    department = _department()
    department.basic.projects[5].amounts.actual = D("26.99")  # 6.鹤城…: 附件1-1 2023年决算数 27.99 → 26.99
    book = load_projects()
    layout = FORM.layout_for(book)
    findings = cross(book, department, layout)
    assert located(findings) == {at(layout, "X-005", "projects[5].funds.executed")}
    assert findings.findings[0].severity == Severity.ERROR
    assert findings.findings[0].message == ("项目“鹤城一体化燃气规划专项经费”全年执行数27.99与基础数据表"
                                            "“6.鹤城一体化燃气规划专项经费”2023年决算数26.99不一致")


def test_x005_budget_is_initial_or_full_year() -> None:
    department = _department()
    book = load_projects()
    layout = FORM.layout_for(book)
    department.basic.projects[0].amounts.budget = D("58.14")  # = 全年预算数 of 专项（业务）经费: accepted
    assert cross(book, department, layout).findings == []
    department.basic.projects[0].amounts.budget = D("70.00")  # neither 年初 80.00 nor 全年 58.14
    findings = cross(book, department, layout)
    assert located(findings) == {at(layout, "X-005", "projects[0].funds.initial_budget")}
    assert "既不等于年初预算数80.00，也不等于全年预算数58.14" in findings.findings[0].message


def test_x005_leaves_a_blank_project_figure_to_zp019() -> None:
    """A project sheet whose 年初/全年预算数 and 全年执行数 are not typed yet: ZP-019 names each blank cell; X-005 does
    not add a second finding per cell ("执行数空与决算数27.99不一致")."""
    book = load_projects()
    funds = book.projects[5].funds
    funds.initial_budget = funds.full_year_budget = funds.executed = None
    layout = FORM.layout_for(book)
    assert cross(book, _department(), layout).codes() & {"X-005"} == set()
    own = run_rules(book, layout)
    assert {at(layout, "ZP-019", f"projects[5].funds.{key}")
            for key in ("initial_budget", "full_year_budget", "executed")} <= located(own)


def test_x005_project_in_basic_data_only() -> None:
    book = load_projects()
    del book.projects[2]  # 城市基础设施配套征收经费 has a 附件1-1 row with 2023 figures but no sheet now
    layout = FORM.layout_for(book)
    findings = cross(book, _department(), layout)
    assert located(findings) == {("X-005", "专项（业务）经费", "A3")}
    (f,) = findings.findings
    assert f.severity == Severity.WARNING
    assert f.message == ("基础数据表（附件1-1）列有2023年有预算或决算的项目“3.城市基础设施配套征收经费”，"
                         "本工作簿中却没有对应的项目支出绩效自评表")


def test_x005_project_sheet_only() -> None:
    book = load_projects()
    book.projects[3].name = "城市园林绿化养护费"  # not in 附件1-1; 4.污泥干化处置费 then has no sheet
    layout = FORM.layout_for(book)
    findings = cross(book, _department(), layout)
    assert located(findings) == {at(layout, "X-005", "projects[3].name"), ("X-005", "专项（业务）经费", "A3")}
    messages = {f.cell: f.message for f in findings.findings}
    assert messages["C3"] == ("项目“城市园林绿化养护费”在基础数据表（附件1-1）的项目支出中找不到"
                              "（名称已统一全半角、括号、空格后比较）")
    assert "“4.污泥干化处置费”" in messages["A3"]


def test_x005_near_miss_is_one_finding() -> None:
    book = load_projects()
    book.projects[5].name = "鹤中一体化燃气规划专项经费"  # the seed's report text writes 鹤中, 附件1-1 鹤城
    layout = FORM.layout_for(book)
    findings = cross(book, _department(), layout)
    assert located(findings) == {at(layout, "X-005", "projects[5].name")}
    (f,) = findings.findings
    assert f.severity == Severity.WARNING
    # 鹤城… vs 鹤中… after dropping “6.”: 13 characters, 12 alike → Indel ratio 2 × 12 / 26 = 92.3 → 92%
    assert f.message == ("可能是同一项目：“鹤中一体化燃气规划专项经费” 与 基础数据表的 “6.鹤城一体化燃气规划专项经费”"
                         "（相似度92%），两表的项目名称应一致")


def test_x005_names_compared_after_normalising() -> None:
    book = load_projects()
    book.projects[0].name = " 专项 (业务) 经费"  # half-width brackets and spaces
    assert cross(book, _department()).findings == []


def test_x005_needs_a_companion() -> None:
    book = load_projects()
    del book.projects[2]
    assert run_rules(book, extra=FORM.cross_rules()).findings == []
