"""Round trip of issue 11's two parts: the draft 自评报告 written from the tables (perfeval.report.draft, part B)
checks clean against those tables with the report checker (perfeval.report.rules, part A), and changing one number
the checker binds to a cell fires exactly that rule at that cell.

The reports are consistent (tests/test_rules.py ``consistent_reports``: no table finding), with realistic unit and
project names and 自评表 texts drawn on top. Which draft sentence binds which rule and cell (:data:`SITES`) is read
from the rules' docstrings and keywords in perfeval/report/rules.py, not from a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from conftest import load_example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_rules import consistent_reports

from perfeval import forms
from perfeval.config import DEFAULT_CONFIG, Config, TotalCap
from perfeval.findings import Finding
from perfeval.forms.department.model import Report
from perfeval.layout import Layout
from perfeval.numbers import fmt_amount, fmt_number
from perfeval.report.check import check_report
from perfeval.report.draft import Outline, build_outline, build_outlines, outline_text
from perfeval.report.files import read_report
from perfeval.report.text import PLACEHOLDER, ReportDocument

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DOCX = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])

UNITS = ("怀化市城乡建设事务中心", "某某县财政局", "中共某某县委组织部", "某某市第二人民医院", "某某县住房和城乡建设局",
         "某某市公共资源交易中心", "某某县自然资源局（林业局）")
# names as 附件1-1 lists them (the seed's among them): brackets, 和/及, digits, a leading ordinal, 经费/费用/资金
PROJECT_NAMES = (
    "专项（业务）经费", "污水处理专项业务费", "城市基础设施配套征收经费", "污泥干化处置费", "污水截污干管费用",
    "鹤城一体化燃气规划专项经费", "燃气专项整治费", "医疗救助补助", "城乡建设和管理专项经费", "老旧小区改造项目",
    "乡村振兴及人居环境整治经费", "市政设施维护费用", "招投标交易平台运行维护费", "工程造价咨询服务费",
    "房屋安全鉴定专项资金", "智慧城管平台建设（二期）", "农村危房改造补助资金", "项目2", "2023年度重点项目前期工作经费",
    "“两违”整治工作经费",
)
GOALS = (
    "全面完成年度招投标事务、工程造价咨询和城市建设服务工作。",
    "加强预算管理，提高资金使用效益，确保各项重点工作按时完成。",
    "完成燃气管道安全隐患排查整治，保障城市燃气运行安全。",
    "2023年3月9-10日举办宣贯培训，参训人员120余名。",
    "全年完成污水处理量约125公里管网的维护，群众满意度达到95%以上。",
)
# a 实际完成情况 that contradicts itself (the seed's): the draft copies it, and TX-004 rightly names it
CONTRADICTION = "燃气管道涉铁隐患20处，已全部完成整改，鹤城全市涉铁隐患剩余1处因地质原因正在抓紧进场施工。"
DEVIATIONS = ("偏差原因：部分工作受天气影响推迟；改进措施：加强计划管理。", "受疫情影响，培训推迟至下半年举办。", "")


@dataclass(frozen=True)
class Drafted:
    report: Report
    contradiction: bool  # whether the 实际完成情况 holds CONTRADICTION


@st.composite
def draftable_reports(draw: st.DrawFn) -> Drafted:
    """A consistent report with realistic names and 自评表 texts. The texts repeat nothing the tables disagree
    with: a 自评表 whose own texts contradict each other (a date written two ways) is a table problem, not the
    draft's; the one self-contradiction allowed is CONTRADICTION, whose finding is asserted."""
    report = draw(consistent_reports())
    unit = draw(st.sampled_from(UNITS))
    report.basic.unit_name = report.self_eval.unit_name = unit
    n = len(report.basic.projects)
    names = draw(st.lists(st.sampled_from(PROJECT_NAMES), min_size=n, max_size=n, unique=True))
    for i, (project, name) in enumerate(zip(report.basic.projects, names, strict=True)):
        project.name = f"{i + 1}.{name}" if draw(st.booleans()) else name
    zp = report.self_eval
    zp.goal_expected = "\n".join(draw(st.lists(st.sampled_from(GOALS), min_size=1, max_size=3, unique=True)))
    actual = draw(st.lists(st.sampled_from(GOALS), min_size=1, max_size=3, unique=True))
    contradiction = draw(st.booleans())
    zp.goal_actual = "\n".join([*actual, *([CONTRADICTION] if contradiction else [])])
    for *_, row in zp.rows():
        if row.deviation:
            row.deviation = draw(st.sampled_from(DEVIATIONS[:2]))
    return Drafted(report, contradiction)


def check(report: Report, doc: ReportDocument, config: Config = DEFAULT_CONFIG) -> list[Finding]:
    pack = forms.for_report(report)
    return check_report(report, pack.layout_for(report), pack.compute(report, config), config, doc)


def located(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.code, f.sheet, f.cell) for f in findings}


def at(layout: Layout, code: str, path: str) -> tuple[str, str, str]:
    cell = layout.find(path)
    return code, cell.sheet, cell.address


def text_doc(outline: Outline) -> ReportDocument:
    return ReportDocument.from_blocks(list(outline_text(outline)))


def assert_clean(drafted: Drafted, outline: Outline, findings: list[Finding]) -> None:
    """Only TX-008 (one finding counting exactly the outline's placeholders) and, when the 实际完成情况 the draft
    copies contradicts itself, TX-004 at that cell quoting it."""
    report = drafted.report
    layout = forms.for_report(report).layout_for(report)
    expected = {at(layout, "TX-004", "self_eval.goal_actual")} if drafted.contradiction else set()
    others = [f for f in findings if f.code != "TX-008"]
    assert located(others) == expected, [(f.code, f.quote, f.message) for f in others]
    for f in others:
        # the sentence the draft copied from 实际完成情况, naming both halves
        assert f.quote is not None and f.quote in report.self_eval.goal_actual
        assert "全部完成" in (f.stated or "") and "剩余" in (f.computed or "")
    placeholders = outline.placeholders()
    markers = [f for f in findings if f.code == "TX-008"]
    assert len(markers) == (1 if placeholders else 0)
    if placeholders:
        assert markers[0].stated == placeholders[0].text
        assert f"共{len(placeholders)}处" in markers[0].message


# --------------------------------------------------------------------------- 1. the draft checks clean


@PROPERTY
@given(draftable_reports())
def test_the_draft_of_any_consistent_report_checks_clean(drafted: Drafted) -> None:
    outline = build_outline(drafted.report)
    doc = text_doc(outline)
    # the markers in the text are exactly the outline's placeholders, in order
    assert [m.group() for m in PLACEHOLDER.finditer(doc.text)] == [p.text for p in outline.placeholders()]
    assert_clean(drafted, outline, check(drafted.report, doc))


@DOCX
@given(draftable_reports())
def test_the_draft_docx_read_back_checks_as_its_text(tmp_path_factory: pytest.TempPathFactory,
                                                     drafted: Drafted) -> None:
    from perfeval.docx.draft import render

    outline = build_outline(drafted.report)
    path = tmp_path_factory.mktemp("draft") / "自评报告.docx"
    path.write_bytes(render([outline]))
    doc = read_report(path)
    findings = check(drafted.report, doc)
    assert_clean(drafted, outline, findings)
    by_text = check(drafted.report, text_doc(outline))
    assert [(f.code, f.sheet, f.cell, f.stated, f.computed, f.quote) for f in findings] == \
           [(f.code, f.sheet, f.cell, f.stated, f.computed, f.quote) for f in by_text]


def test_the_corrected_seed_draft_through_word_checks_clean(tmp_path: Path) -> None:
    """The example: its 实际完成情况 holds the seed's 全部完成/剩余1处 sentence (TX-004, the text's own)."""
    from perfeval.docx.draft import render

    report = load_example("huaihua-2023-corrected.json")
    outline = build_outline(report)
    path = tmp_path / "自评报告.docx"
    path.write_bytes(render([outline]))
    assert_clean(Drafted(report, True), outline, check(report, read_report(path)))
    # without the paragraphs copied from table cells, nothing but the markers
    quoted_free = ReportDocument.from_blocks(list(outline_text(outline, quoted=False)))
    assert {f.code for f in check(report, quoted_free)} == {"TX-008"}


def test_the_capped_grade_sentence_is_checked_against_the_capped_total() -> None:
    """A profile capping the 总分 by 执行率: the draft adds ``封顶后总分85分，等级为良``; X-010 compared that grade
    with the plain 总分's (98 → 优) and flagged the draft (fixed). A wrong capped grade still fires."""
    config = DEFAULT_CONFIG.model_copy(
        update={"total_caps": (TotalCap(rate_below=Decimal("1.5"), max_total=Decimal("85")),)})
    report = load_example("huaihua-2023-corrected.json")
    lines = outline_text(build_outline(report, config), quoted=False)
    assert "按评分口径的执行率封顶规定，封顶后总分85分，等级为良。" in lines  # 100% < 150%: min(98, 85) = 85 → 良
    assert {f.code for f in check(report, ReportDocument.from_blocks(list(lines)), config)} == {"TX-008"}
    wrong = [line.replace("等级为良", "等级为中") for line in lines]
    layout = forms.for_report(report).layout_for(report)
    assert located([f for f in check(report, ReportDocument.from_blocks(wrong), config) if f.code != "TX-008"]) \
        == {at(layout, "X-010", "self_eval.total_score_stated")}


# --------------------------------------------------------------------------- 2. one number changed


AMT = r"(\d+\.\d{2})万元"


@dataclass(frozen=True)
class Site:
    """A number of the draft's wording the checker binds: ``pattern``'s group 1 is the number (the first line
    matching it, in reading order); ``code``/``path`` the rule and cell (rules.py docstrings)."""

    label: str
    pattern: str
    code: str
    path: str
    kind: str = "amount"  # amount | count | score
    avoid: Callable[[Report], tuple[Decimal, ...]] = lambda r: ()  # values the new number must not take


def sites(report: Report) -> list[Site]:
    """The bound numbers of the department draft (rules.md §4.3; perfeval/report/rules.py):

    X-011 编制数 / 在职人数 (``编制数为N人``, ``实际在职人数为N人``); X-009 ``整体支出`` → 全年预算数; X-006
    年初编报 / 年中追加 counts; X-002 ``涉及项目支出`` → 附件1-2 项目支出; X-008 the unit's 年初预算数 (收入情况,
    no 基本/项目 topic); X-009 the 收入情况 sentence's 全年预算数 / 全年执行数 (附件1-2 D5 / E5); X-009 年度资金总额
    (按收入性质分 合计) and its 一般公共预算 / 纳入专户管理的非税收入 / 其他资金 parts, X-007 its 政府性基金 part;
    X-009 年度支出总额 (按支出性质分 合计), X-001 / X-002 its 基本支出 / 项目支出 parts (附件1-2 基本支出 /
    项目支出); X-001 基本支出 年初 / 全年 / 实际 (the ``1.基本支出情况`` sentence); X-002 项目支出 年初 / 实际 and
    each listed project's amount (equal to neither its 预算数 nor 决算数 to fire); X-004 三公 预算数 and 实际支出,
    and the four 其中 parts of each (本年预算数 / 本年决算数 rows); X-003 公用经费 预算数 / 实际支出 (附件1-1
    公用经费 本年预算数 / 本年决算数); TX-009 政府采购预算金额 / 实际政府采购金额 (附件1-1 政府采购金额); X-010
    实际得分.

    Not bound (a change there is silent): the rates (执行率, 控制率 — percentages the checker does not read), the
    公用经费 items (办公费 …: their sentences name no 公用经费, and no rule reads them in the text), the indicator
    rows (texts copied from the 自评表), 总评分 (the full mark)."""
    out = [
        Site("编制数", r"编制数为(\d+)人", "X-011", "basic.staff_authorized", "count"),
        Site("在职人数", r"实际在职人数为(\d+)人", "X-011", "basic.staff_actual", "count"),
        Site("整体支出", r"整体支出全年预算数" + AMT, "X-009", "self_eval.funds.full_year_budget"),
        Site("年初编报", r"年初编报绩效目标的项目(\d+)个", "X-006", "basic.projects_stated.budget", "count"),
        Site("年中追加", r"年中追加编报绩效目标(\d+)个", "X-006", "basic.projects_stated.actual", "count"),
        Site("涉及项目支出", r"涉及项目支出" + AMT, "X-002", "self_eval.expenditure_project"),
        Site("年初预算数", r"^\d{4}年年初预算数" + AMT, "X-008", "self_eval.funds.initial_budget"),
        Site("基本支出年初", r"基本支出年初预算数为" + AMT, "X-001", "basic.basic_adjustment.budget"),
        Site("基本支出全年", r"基本支出年初预算数为[\d.]+万元，全年预算数" + AMT, "X-001",
             "self_eval.expenditure_basic"),
        Site("基本支出实际", r"基本支出年初预算数为[\d.]+万元，全年预算数[\d.]+万元，实际支出" + AMT, "X-001",
             "basic.basic_adjustment.actual"),
        Site("项目支出年初", r"项目支出年初预算数为" + AMT, "X-002", "basic.projects_stated.budget"),
        Site("项目支出实际", r"项目支出年初预算数为[\d.]+万元，实际支出" + AMT, "X-002",
             "basic.projects_stated.actual"),
        Site("收入全年预算数", r"^\d{4}年年初预算数[^，。]*，全年预算数" + AMT, "X-009",
             "self_eval.funds.full_year_budget"),
        Site("全年执行数", r"^\d{4}年年初预算数[^。]*?全年执行数" + AMT, "X-009", "self_eval.funds.executed"),
        Site("年度资金总额", r"按收入性质分，年度资金总额" + AMT, "X-009", "self_eval.income_total_stated"),
        Site("收入一般公共预算", r"按收入性质分[^。]*?其中：[^。]*?一般公共预算" + AMT, "X-009",
             "self_eval.income_general_public"),
        Site("收入政府性基金", r"按收入性质分[^。]*?其中：[^。]*?政府性基金" + AMT, "X-007",
             "self_eval.income_gov_fund"),
        Site("收入非税收入", r"按收入性质分[^。]*?其中：[^。]*?纳入专户管理的非税收入" + AMT, "X-009",
             "self_eval.income_special_non_tax"),
        Site("收入其他资金", r"按收入性质分[^。]*?其中：[^。]*?其他资金" + AMT, "X-009", "self_eval.income_other"),
        Site("年度支出总额", r"按支出性质分，年度支出总额" + AMT, "X-009", "self_eval.expenditure_total_stated"),
        Site("支出基本支出", r"按支出性质分[^。]*?其中：基本支出" + AMT, "X-001", "self_eval.expenditure_basic"),
        Site("支出项目支出", r"按支出性质分[^。]*?其中：[^。]*?，项目支出" + AMT, "X-002",
             "self_eval.expenditure_project"),
        Site("公用经费预算数", r"\d{4}年公用经费预算数" + AMT, "X-003", "basic.public_funds.budget"),
        Site("公用经费实际支出", r"\d{4}年公用经费[^。]*?实际支出" + AMT, "X-003", "basic.public_funds.actual"),
        Site("政府采购预算", r"政府采购预算金额" + AMT, "TX-009", "basic.procurement.budget"),
        Site("政府采购实际", r"实际政府采购金额" + AMT, "TX-009", "basic.procurement.actual"),
        Site("三公预算", r"“三公”经费预算数为" + AMT, "X-004", "basic.three_public_stated.budget"),
        Site("三公实际", r"“三公”经费实际支出" + AMT, "X-004", "basic.three_public_stated.actual"),
        Site("实际得分", r"实际得分([\d.]+)分", "X-010", "self_eval.total_score_stated", "score"),
    ]
    for label, field in (("因公出国（境）费", "overseas"), ("公务用车购置费", "vehicle_purchase"),
                         ("公务用车运行维护费", "vehicle_operation"), ("公务接待费", "reception")):
        out.append(Site(label, r"“三公”经费预算数为[^。]*?" + re.escape(label) + AMT, "X-004", f"basic.{field}.budget"))
        out.append(Site(label + "实际", r"“三公”经费实际支出[^。]*?" + re.escape(label) + AMT, "X-004",
                        f"basic.{field}.actual"))
    from perfeval.names import strip_ordinal

    for i, p in enumerate(report.basic.projects):
        name = strip_ordinal(p.name)
        # a name with a digit in it (项目2, 2023年度…经费) is not read as a name by X-005/X-002 (a number before a
        # figure is usually another figure's): its amount is not bound. Known limitation, left out here.
        if name.strip() and not re.search(r"\d", name) and p.amounts.actual is not None and p.amounts.actual > 0:
            out.append(Site(name, r"项目支出情况。.*?(?<=[：，])" + re.escape(name) + AMT, "X-002",
                            f"basic.projects[{i}].amounts.actual",
                            avoid=lambda r, i=i: tuple(v for v in (r.basic.projects[i].amounts.budget,
                                                                   r.basic.projects[i].amounts.actual)
                                                       if v is not None)))
    return out


def _formatted(kind: str, value: Decimal | int) -> str:
    if kind == "amount":
        return fmt_amount(Decimal(value))
    if kind == "count":
        return str(value)
    return fmt_number(Decimal(value))


@PROPERTY
@given(draftable_reports(), st.data())
def test_changing_one_bound_number_fires_exactly_its_rule_at_its_cell(drafted: Drafted, data: st.DataObject) -> None:
    report = drafted.report
    lines = outline_text(build_outline(report))
    present = find_sites(report, lines)
    labels = {s.label for s, _, _ in present}
    # every figure the draft always words is there (the 三公 parts and projects depend on the tables)
    assert {"编制数", "在职人数", "整体支出", "收入全年预算数", "年初预算数", "基本支出年初", "项目支出年初",
            "三公预算", "三公实际", "实际得分"} <= labels, labels
    site, index, match = data.draw(st.sampled_from(present), label="site")
    old = match.group(1)
    if site.kind == "amount":
        # amounts agree within amount_tolerance (0.01 万元, rules.md §4): the new figure is further from the old
        # one and, for a project, from both its 预算数 and 决算数
        tol = DEFAULT_CONFIG.amount_tolerance
        new_value: Decimal | int = data.draw(st.decimals(0, 10**7, places=2).filter(
            lambda v: all(abs(v - w) > tol for w in (Decimal(old), *site.avoid(report)))), label="new")
    elif site.kind == "count":
        new_value = data.draw(st.integers(0, 999).filter(lambda v: v != int(old)), label="new")
    else:
        new_value = data.draw(st.decimals(0, 100, places=1).filter(
            lambda v: abs(v - Decimal(old)) >= DEFAULT_CONFIG.score_tolerance), label="new")
    assert_fires_alone(report, lines, site, index, match, _formatted(site.kind, new_value))


def find_sites(report: Report, lines: list[str]) -> list[tuple[Site, int, re.Match[str]]]:
    """Each site of :func:`sites` the draft words: (site, line index, match) at the first line matching it."""
    present: list[tuple[Site, int, re.Match[str]]] = []
    for site in sites(report):
        found = next(((i, m) for i, line in enumerate(lines) if (m := re.search(site.pattern, line))), None)
        if found is not None:
            present.append((site, *found))
    return present


def assert_fires_alone(report: Report, lines: list[str], site: Site, index: int, match: re.Match[str],
                       new: str) -> None:
    """``new`` written in place of the site's number: exactly one more finding, the site's rule at its cell,
    quoting the changed sentence."""
    line = lines[index]
    changed = [*lines[:index], line[:match.start(1)] + new + line[match.end(1):], *lines[index + 1:]]
    layout = forms.for_report(report).layout_for(report)
    before = located(check(report, ReportDocument.from_blocks(list(lines))))
    after = check(report, ReportDocument.from_blocks(changed))
    assert located(after) == before | {at(layout, site.code, site.path)}, (site.label, match.group(1), new)
    fired = [f for f in after if (f.code, f.sheet, f.cell) == at(layout, site.code, site.path)]
    assert len(fired) == 1 and fired[0].quote is not None and new in fired[0].quote


def test_every_bound_number_of_the_example_draft_fires_its_rule_alone() -> None:
    """Every site, not a sample: the corrected example's draft words all of them but the 非税收入 part (its
    附件1-2 row is blank, so the draft leaves it out) and the projects whose names hold a digit (none here).
    Each amount moved up by 1.00 万元, each count by 1, the score down by 1: one finding, the site's."""
    report = load_example("huaihua-2023-corrected.json")
    lines = outline_text(build_outline(report))
    present = find_sites(report, lines)
    assert {s.label for s in sites(report)} - {s.label for s, _, _ in present} == {"收入非税收入"}
    for site, index, match in present:
        old = match.group(1)
        if site.kind == "amount":
            value = Decimal(old) + 1
            while any(abs(value - w) <= DEFAULT_CONFIG.amount_tolerance for w in site.avoid(report)):
                value += 1
            new = fmt_amount(value)
        elif site.kind == "count":
            new = str(int(old) + 1)
        else:
            new = fmt_number(Decimal(old) - 1)
        assert_fires_alone(report, lines, site, index, match, new)


# --------------------------------------------------------------------------- 3. the project form


def _project_book(draw: st.DrawFn) -> Any:
    """The example project book with its names, implementer and texts redrawn (the tables stay consistent)."""
    pack = forms.get("project")
    from conftest import EXAMPLES

    book = pack.parse_json((EXAMPLES / "huaihua-2023-projects.json").read_text(encoding="utf-8"))
    names = draw(st.lists(st.sampled_from(PROJECT_NAMES), min_size=len(book.projects), max_size=len(book.projects),
                          unique=True))
    for table, name in zip(book.projects, names, strict=True):
        table.name = name
        table.implementer = draw(st.sampled_from(UNITS))
        table.goal_expected = "\n".join(draw(st.lists(st.sampled_from(GOALS), min_size=1, max_size=2, unique=True)))
        table.goal_actual = "\n".join(draw(st.lists(st.sampled_from(GOALS), min_size=1, max_size=2, unique=True)))
    return book


@PROPERTY
@given(st.data())
def test_the_project_drafts_check_clean(data: st.DataObject) -> None:
    book = data.draw(st.composite(lambda draw: _project_book(draw))(), label="book")
    outlines = build_outlines(book)
    assert len(outlines) == len(book.projects)
    for outline in outlines:
        findings = check(book, text_doc(outline))
        assert {f.code for f in findings} <= {"TX-008"}, [(f.code, f.message) for f in findings]
        placeholders = outline.placeholders()
        assert len(findings) == (1 if placeholders else 0)
        assert all(f"共{len(placeholders)}处" in f.message for f in findings)
