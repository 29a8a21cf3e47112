"""The seed's 自评报告 (tests/fixtures/seed-report.docx, the text exactly as printed) checked against the seed
workbook (examples/huaihua-2023.json): the findings rules.md §4.3/§4.4 derive by hand, and silence on every
identity that holds. Each silent identity is also shown to fire when one number of the text changes."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest

from perfeval.config import DEFAULT_CONFIG
from perfeval.findings import Finding, Severity
from perfeval.forms.department.layout import BD_SHEET, ZP_SHEET, layout_for
from perfeval.forms.department.model import Report
from perfeval.report.check import check_report
from perfeval.report.files import read_report
from perfeval.report.text import ReportDocument
from tests.conftest import load_example

FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(FIXTURES))
from make_seed_report import PARAGRAPHS  # noqa: E402


def findings_for(doc: ReportDocument, report: Report | None = None) -> list[Finding]:
    from perfeval import forms

    report = report or load_example()
    layout = layout_for(report)
    return check_report(report, layout, forms.get("department").compute(report, DEFAULT_CONFIG), DEFAULT_CONFIG,
                        doc)


def addr(path: str) -> tuple[str, str]:
    cell = layout_for(load_example()).find(path)
    return cell.sheet, cell.address


@pytest.fixture(scope="module")
def seed_findings() -> list[Finding]:
    return findings_for(read_report(FIXTURES / "seed-report.docx"))


def test_the_fixture_holds_the_report_text_in_order() -> None:
    doc = read_report(FIXTURES / "seed-report.docx")
    assert [p.text for p in doc.paragraphs] == list(PARAGRAPHS)
    assert PARAGRAPHS[0] == "怀化市城乡建设事务中心" and PARAGRAPHS[-1] == "2.部门整体支出绩效自评表"
    assert len(PARAGRAPHS) == 76


# (code, path of the cell, severity): derived by hand from the seed (rules.md §4.3, §4.4)
EXPECTED = {
    # 收入较上年增加167.68 vs 支出较上年增加167.88 with 年初 收入 = 支出 = 568.61: Δ 0.20 (implied 上年 400.93 vs
    # 400.73); at 附件1-2 年初预算数
    ("TX-001", "self_eval.funds.initial_budget", Severity.WARNING),
    # 专项业务费 (text) vs 专项（业务）经费 (附件1-1 row 1): equal once the brackets go → INFO
    ("X-005", "basic.projects[0].name", Severity.INFO),
    # 污水处理业务费 (×2) vs 污水处理专项业务费: keys 污水处理业务 / 污水处理专项业务, ratio 2·6/14 = 85.7 ≥ 80
    # → WARNING
    ("X-005", "basic.projects[1].name", Severity.WARNING),
    # 城市基础设施配套费安排的支出 (×2, 32万元) vs 城市基础设施配套征收经费 (32.00): ratio 2·8/23 = 69.6 < 80, but ≥ 50
    # and 32.00 is the amount of exactly that project → WARNING
    ("X-005", "basic.projects[2].name", Severity.WARNING),
    # 鹤中一体化燃气规划专项经费 (×2), …编制专项, …专项 vs 鹤城一体化燃气规划专项经费 → WARNING, never corrected
    ("X-005", "basic.projects[5].name", Severity.WARNING),
    # 在职在册人员为40人，全为…事业编制人员 while 编制数 = 38: 40 > 38 → at 编制数
    ("X-011", "basic.staff_authorized", Severity.WARNING),
    # 宣贯培训 于2022年3月9-10日 (report) vs 于2023年3月9-10日 (自评表 实际完成情况)
    ("TX-003", "self_eval.goal_actual", Severity.WARNING),
    # 涉铁隐患20处，已全部完成整改 vs 鹤城全市涉铁隐患剩余1处…正在抓紧进场施工 (same paragraph)
    ("TX-004", "self_eval.goal_actual", Severity.WARNING),
}


def test_the_seed_report_gives_exactly_the_hand_derived_findings(seed_findings: list[Finding]) -> None:
    got = {(f.code, (f.sheet, f.cell), f.severity) for f in seed_findings}
    assert got == {(code, addr(path), sev) for code, path, sev in EXPECTED}
    assert len(seed_findings) == len(EXPECTED)  # one finding per rule and cell
    assert {(code, addr(path)) for code, path, _ in EXPECTED} >= {
        ("X-005", (BD_SHEET, "A19")), ("X-011", (BD_SHEET, "B5")), ("TX-001", (ZP_SHEET, "C5")),
        ("TX-003", (ZP_SHEET, "F12")), ("TX-004", (ZP_SHEET, "F12"))}
    assert all(f.quote for f in seed_findings)


def test_each_finding_quotes_the_sentence_and_shows_both_values(seed_findings: list[Finding]) -> None:
    by = {(f.code, f.cell): f for f in seed_findings}
    tx1 = by[("TX-001", "C5")]
    assert (tx1.stated, tx1.computed) == ("增加167.68万元", "增加167.88万元")
    assert "收入较上年增加167.68万元" in (tx1.quote or "")
    x5 = by[("X-005", "A19")]
    assert x5.computed == "鹤城一体化燃气规划专项经费" and "鹤中一体化燃气规划专项经费" in (x5.stated or "")
    assert "鹤城" in x5.message and "鹤中" in x5.message
    assert x5.stated == "“鹤中一体化燃气规划专项经费”（2处）、“鹤中一体化燃气规划编制专项”、“鹤中一体化燃气规划专项”"
    assert "鹤中一体化燃气规划专项经费27.99万元" in (x5.quote or "")
    x11 = by[("X-011", "B5")]
    assert (x11.stated, x11.computed) == ("40人", "38人") and "全为财政全额拨款事业编制人员" in (x11.quote or "")
    tx3 = by[("TX-003", "F12")]
    assert (tx3.stated, tx3.computed) == ("2022年3月9-10日", "2023年3月9-10日")
    tx4 = by[("TX-004", "F12")]
    assert tx4.stated == "燃气管道涉铁隐患20处，已全部完成整改"
    assert tx4.computed == "鹤城全市涉铁隐患剩余1处因地质原因正在抓紧进场施工"
    assert (by[("X-005", "A16")].stated, by[("X-005", "A16")].computed) == (
        "“城市基础设施配套费安排的支出”（2处）", "城市基础设施配套征收经费")
    assert (by[("X-005", "A14")].stated, by[("X-005", "A14")].computed) == ("“专项业务费”", "专项（业务）经费")


# Identities that hold on the seed (rules.md §4.4) — each must stay silent. Arithmetic by hand:
SILENT = [
    ("X-001", "basic.basic_adjustment.budget"),  # 年初 448.61 = 附件1-1 448.61; 人员 408.11 = 448.61 − 40.50
    ("X-001", "self_eval.expenditure_basic"),  # 全年预算数 483.19 = 附件1-2 基本支出 483.19
    ("X-001", "basic.basic_adjustment.actual"),  # 实际支出 483.19 = 附件1-1 483.19
    ("X-002", "basic.projects_stated.budget"),  # 年初 120.00 = 附件1-1 120.00 = 40 + 80
    ("X-002", "self_eval.expenditure_project"),  # 全年 297.87 and 涉及项目支出 297.87 = 附件1-2 297.87
    ("X-002", "basic.projects_stated.actual"),  # 实际支出 297.87 = 附件1-1 297.87
    ("X-003", "basic.public_funds.budget"),  # 公用经费 40.50 = 附件1-1 40.50
    ("X-004", "basic.three_public_stated.budget"),  # “三公”经费预算数 1 = 1.00
    ("X-004", "basic.reception.budget"),  # 公务接待费 1 = 1.00 (公车购置/运行, 出国 0 = 0.00)
    ("X-004", "basic.three_public_stated.actual"),  # 无“三公”经费支出 = 0.00
    ("X-006", "basic.projects_stated.budget"),  # 年初编报 2 个 = projects with 预算 > 0 (80.00, 40.00)
    ("X-006", "basic.projects_stated.actual"),  # 年中追加 4 个 = 6 spent − 2 budgeted
    ("X-007", "self_eval.income_gov_fund"),  # 0 + 104.81 = 实际 104.81 = 附件1-2 104.81
    ("X-008", "self_eval.funds.initial_budget"),  # 年初预算数 568.61 = 附件1-2 568.61 (= 408.11 + 40.50 + 40 + 80)
    ("X-009", "self_eval.funds.full_year_budget"),  # 整体支出 781.06 = 附件1-2 781.06 (= 675.92 + 104.81 + 0.33)
    ("X-009", "self_eval.expenditure_project"),  # 年中追加 177.87 = 297.87 − 120.00
    ("X-009", "self_eval.funds.initial_budget"),  # 一般公共预算拨款 568.61 = 568.61 − 0 (无政府性基金…)
    ("X-010", "self_eval.total_score_stated"),  # 实际得分 98 = 总分 98; 优秀 = grade(98) = 优 (≥ 90)
]


def test_identities_that_hold_stay_silent(seed_findings: list[Finding]) -> None:
    fired = {(f.code, (f.sheet, f.cell)) for f in seed_findings}
    for code, path in SILENT:
        assert (code, addr(path)) not in fired, (code, path)
    assert not [f for f in seed_findings if f.code in {"X-001", "X-002", "X-003", "X-004", "X-006", "X-007",
                                                         "X-008", "X-009", "X-010"}]


# One number of the text changed → exactly one new finding, of the matching rule at the matching cell.
MUTATIONS = [
    ("人员支出408.11", "人员支出409.11", "X-001", "basic.basic_adjustment.budget"),
    ("年初预算数为448.61", "年初预算数为449.61", "X-001", "basic.basic_adjustment.budget"),
    ("全年预算数483.19", "全年预算数484.19", "X-001", "self_eval.expenditure_basic"),
    ("实际支出483.19", "实际支出484.19", "X-001", "basic.basic_adjustment.actual"),
    ("特定目标类项目支出40 万元", "特定目标类项目支出41 万元", "X-002", "basic.projects_stated.budget"),
    ("年初预算数为120.00", "年初预算数为121.00", "X-002", "basic.projects_stated.budget"),
    ("全年预算数297.87", "全年预算数298.87", "X-002", "self_eval.expenditure_project"),
    ("实际支出297.87", "实际支出298.87", "X-002", "basic.projects_stated.actual"),
    ("污泥干化处置费72.81", "污泥干化处置费73.81", "X-002", "basic.projects[3].amounts.actual"),
    ("公用经费40.50万元", "公用经费41.50万元", "X-003", "basic.public_funds.budget"),
    ("经费预算数为1万元", "经费预算数为2万元", "X-004", "basic.three_public_stated.budget"),
    ("公务接待费1万元", "公务接待费2万元", "X-004", "basic.reception.budget"),
    ("公务用车购置费0万元", "公务用车购置费3万元", "X-004", "basic.vehicle_purchase.budget"),
    ("单位无“三公”经费支出", "单位“三公”经费支出0.5万元", "X-004", "basic.three_public_stated.actual"),
    ("年初编报绩效目标的项目2个", "年初编报绩效目标的项目3个", "X-006", "basic.projects_stated.budget"),
    ("年中追加编报绩效目标4个", "年中追加编报绩效目标5个", "X-006", "basic.projects_stated.actual"),
    ("实际政府性基金预算支出104.81", "实际政府性基金预算支出105.81", "X-007", "self_eval.income_gov_fund"),
    ("2023年年初预算数568.61万元", "2023年年初预算数568.62万元", "X-008", "self_eval.funds.initial_budget"),
    ("整体支出781.06", "整体支出782.06", "X-009", "self_eval.funds.full_year_budget"),
    ("年中追加预算177.87", "年中追加预算178.87", "X-009", "self_eval.expenditure_project"),
    ("一般公共预算拨款568.61", "一般公共预算拨款567.61", "X-009", "self_eval.funds.initial_budget"),
    ("实际得分98分", "实际得分97分", "X-010", "self_eval.total_score_stated"),
    ("评价为优秀", "评价为良好", "X-010", "self_eval.total_score_stated"),
    ("在职在册人员为40人，全为", "在职在册人员为39人，全为", "X-011", "basic.staff_actual"),
]


@pytest.mark.parametrize(("old", "new", "code", "path"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_changing_one_number_fires_the_matching_rule_at_the_matching_cell(old: str, new: str, code: str,
                                                                         path: str) -> None:
    first = next(i for i, p in enumerate(PARAGRAPHS) if old in p)  # the first place the text says it
    base = {(f.code, f.sheet, f.cell) for f in findings_for(ReportDocument.from_blocks(list(PARAGRAPHS)))}
    changed = [p.replace(old, new, 1) if i == first else p for i, p in enumerate(PARAGRAPHS)]
    got = {(f.code, f.sheet, f.cell) for f in findings_for(ReportDocument.from_blocks(list(changed)))}
    if code == "X-011":  # 39 ≤ 38 is false too, but 39 staff all 编制 with 编制数 38 still exceeds: B5 stays
        assert (code, *addr("basic.staff_authorized")) in got
    assert got - base == {(code, *addr(path))}


def test_the_income_change_equal_to_the_spending_change_is_silent() -> None:
    # 167.88 written in both places: Δ 0 → no TX-001
    changed = [p.replace("收入较上年增加167.68万元", "收入较上年增加167.88万元") for p in PARAGRAPHS]
    codes = {f.code for f in findings_for(ReportDocument.from_blocks(list(changed)))}
    assert "TX-001" not in codes and "X-005" in codes


def test_a_placeholder_left_in_the_report_is_a_warning() -> None:
    paragraphs = [*PARAGRAPHS[:-3], "七、存在的问题及原因分析", "【请填写：存在的问题及原因】",
                  "【请填写：下一步改进措施】"]
    found = [f for f in findings_for(ReportDocument.from_blocks(paragraphs)) if f.code == "TX-008"]
    assert len(found) == 1
    f = found[0]
    assert (f.severity, (f.sheet, f.cell)) == (Severity.WARNING, addr("self_eval.unit_name"))
    assert f.stated == "【请填写：存在的问题及原因】" and "共2处" in f.message


def test_without_a_report_the_report_rules_are_silent() -> None:
    from perfeval import forms
    from perfeval.rules import run_rules

    report = load_example()
    plain = run_rules(report)
    with_rules = run_rules(report, extra=forms.get("department").report_rules())
    assert with_rules.findings == plain.findings


def test_the_text_errors_remain_against_the_corrected_tables() -> None:
    # examples/huaihua-2023-corrected.json changes the tables only: the text's own contradictions (TX-001, TX-004)
    # are still there
    corrected = load_example("huaihua-2023-corrected.json")
    got = {f.code for f in findings_for(read_report(FIXTURES / "seed-report.docx"), corrected)}
    assert {"TX-001", "TX-004"} <= got


@pytest.mark.parametrize(("new", "severity"), [("40.01", Severity.INFO), ("40.02", Severity.ERROR)])
def test_a_sum_of_parts_within_the_rounding_allowance_is_info(new: str, severity: Severity) -> None:
    """wave2 §4 (XBRL model): 特定目标类 + 其他运转类 against 附件1-1 项目支出 本年预算数 120.00 is a parent of 2
    rounded parts, allowance (2 + 1) × 0.005 = 0.015 万元. 40.01 + 80 = 120.01: 0.01 ≤ 0.015 → INFO (rounding);
    40.02 + 80 = 120.02: 0.02 > 0.015 → the X-002 mismatch (ERROR)."""
    changed = [p.replace("特定目标类项目支出40 万元", f"特定目标类项目支出{new} 万元") for p in PARAGRAPHS]
    found = [f for f in findings_for(ReportDocument.from_blocks(changed))
             if (f.code, (f.sheet, f.cell)) == ("X-002", addr("basic.projects_stated.budget"))]
    assert [f.severity for f in found] == [severity]
    assert (found[0].stated, found[0].computed) == (f"{Decimal(new) + 80:.2f}万元", "120.00万元")
    assert ("0.015" in found[0].message) == (severity == Severity.INFO)
