"""Boundaries: every threshold of the configuration just below, at and just above its edge, half-up rounding,
the 分子分母颠倒 hint, verify on a changed fingerprint, typed-over subtotals, the 三公 change base and the sign of
超编人数.

Each expected value is worked out by hand (in the comment next to it) from shared/domain/rules.md: §1 formulas,
§2.3 bands, §2.5 grades, §4 tolerances ("amounts compare at 0.01 万元 after rounding operands to 2 dp; rates
compare at the template's display precision") and the defaults of perfeval/config.py. None is copied from a run.
Thresholds are exercised through the rule (or function) that uses them:

    over_achievement_ratio 1.2   ZP-015 (scoring.score_indicator → over_achieved)
    execution_reason_below 1     ZP-006
    adjustment_warning_above 0.3 ZP-007
    public_funds_low_rate 0.6    BD-009 (information variant)
    qualitative_bands 0.8 / 0.6  ZP-016 (scoring.qualitative_band)
    grade_bands 90 / 80 / 60     scoring.grade, calc.grade of compute()
    execution_score_cap 1        compute.execution_score, ZP-005
    amount_tolerance 0.01        BD-005 (a typed-over total), BD-009 (over budget)
    score_tolerance 0.01         ZP-010 (a typed-over 总分)
    rate_display_decimals 2      BD-001, ZP-006, ZP-007, ZP-015 (rates compare as shown)
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from perfeval.compute import execution_score
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.findings import Finding, Severity
from perfeval.forms.department.compute import compute
from perfeval.forms.department.layout import BD_SHEET, CALC_ITEMS, bd_rows, layout_for
from perfeval.forms.department.model import Report
from perfeval.numbers import fmt_amount, fmt_rate, money, rate_display, to_decimal
from perfeval.paths import set_path
from perfeval.rules import run_rules
from perfeval.scoring import QualitativeBand, grade, qualitative_band, score_indicator
from perfeval.sheets import CALC_SHEET, EXPORT_SHEET
from perfeval.xlsx.export import CUSTOM_PROP_PREFIX, export_file
from perfeval.xlsx.reader import read_workbook
from perfeval.xlsx.verify import VerifyStatus, verify_file
from perfeval.xlsx.workflow import compute_file, fill, validate_file
from tests.conftest import load_example
from tests.support.libreoffice import recalc_values, require_libreoffice

D = Decimal
NOW = dt.datetime(2024, 6, 10, 9, 30)
ROW_KEY = "self_eval.indicators[{}].secondaries[{}].rows[0]"
COUNT_ROW = ROW_KEY.format(0, 0)  # 重点工作完成数 ≥2次 → 4次, 分值 20
COST_ROW = ROW_KEY.format(0, 3)  # 三公经费控制率 ≤1.00万元 → 0.00万元, 分值 10
SOCIAL_ROW = ROW_KEY.format(1, 1)  # 及时调解，妥善化解纠纷 效果明显 → 效果明显, 分值 15, 得分 13


def corrected(**changes: Any) -> Report:
    """The corrected seed (no error, no warning) with model paths set: ``{"basic.staff_actual": 40}``."""
    report = load_example("huaihua-2023-corrected.json")
    for path, value in changes.items():
        set_path(report, path.replace("__", "."), value)
    return report


def with_paths(report: Report, paths: dict[str, Any]) -> Report:
    for path, value in paths.items():
        set_path(report, path, value)
    return report


def found(report: Report, code: str, config: Config = DEFAULT_CONFIG) -> list[Finding]:
    return [f for f in run_rules(report, config=config).findings if f.code == code]


def test_the_base_report_is_clean() -> None:
    """The corrected seed raises no error and no warning: every finding below comes from the change made."""
    findings = run_rules(corrected()).findings
    assert [f for f in findings if f.severity != Severity.INFO] == []


def test_config_defaults_are_the_documented_ones() -> None:
    c = DEFAULT_CONFIG
    assert (c.over_achievement_ratio, c.execution_reason_below, c.adjustment_warning_above,
            c.public_funds_low_rate) == (D("1.2"), D("1"), D("0.3"), D("0.6"))
    assert c.qualitative_bands == (D("0.8"), D("0.6"))
    assert [(b.grade, b.min_score) for b in c.grade_bands] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
    assert (c.execution_score_cap, c.amount_tolerance, c.score_tolerance, c.rate_display_decimals) == \
        (D("1"), D("0.01"), D("0.01"), 2)


# --------------------------------------------------------------------------- over_achievement_ratio (ZP-015)


@pytest.mark.parametrize(("actual", "flagged"), [
    ("119次", False),  # 119/100 = 119.00% < 120%
    ("120次", True),  # 120/100 = 120.00%: at the edge counts (≥)
    ("121次", True),  # 121.00%
])
def test_zp015_positive_over_achievement(actual: str, flagged: bool) -> None:
    report = with_paths(corrected(), {f"{COUNT_ROW}.target": "≥100次", f"{COUNT_ROW}.actual": actual,
                                      f"{COUNT_ROW}.deviation": ""})
    assert bool(found(report, "ZP-015")) is flagged


@pytest.mark.parametrize(("actual", "flagged"), [
    ("1.01万元", False),  # 反向: A/B = 1.20/1.01 = 1.18812 → 118.81% < 120%
    ("1.00万元", True),  # 1.20/1.00 = 120.00%
    ("0.99万元", True),  # 1.20/0.99 = 1.21212 → 121.21%
])
def test_zp015_reverse_over_achievement(actual: str, flagged: bool) -> None:
    report = with_paths(corrected(), {f"{COST_ROW}.target": "≤1.20万元", f"{COST_ROW}.actual": actual})
    assert bool(found(report, "ZP-015")) is flagged


@pytest.mark.parametrize(("actual", "over"), [
    ("11999.4次", False),  # 1.19994 → 119.99% as shown
    ("11999.5次", True),  # 1.19995 → half-up at 4 places → 1.2000 = 120.00% as shown
])
def test_over_achievement_compares_the_ratio_as_shown(actual: str, over: bool) -> None:
    assert score_indicator("重点工作完成数", "≥10000次", actual, D(20)).over_achieved is over


# --------------------------------------------------------------------------- execution_reason_below (ZP-006)


@pytest.mark.parametrize(("executed", "budget", "flagged"), [
    ("99.99", "100.00", True),  # 99.99% < 100%
    ("100.00", "100.00", False),  # 100.00%: at the edge is not below
    ("100.01", "100.00", False),  # 100.01% (ZP-004's business, not ZP-006's)
    ("780.99", "781.06", True),  # 1 − 0.07/781.06 = 0.999910 → 99.99% as shown
    ("781.05", "781.06", False),  # 1 − 0.01/781.06 = 0.999987 → 100.00% as shown: not below
])
def test_zp006_execution_rate_below_100(executed: str, budget: str, flagged: bool) -> None:
    report = corrected(self_eval__funds__executed=D(executed), self_eval__funds__full_year_budget=D(budget),
                       self_eval__funds__execution_rate_stated=None, self_eval__funds__score_stated=None)
    assert bool(found(report, "ZP-006")) is flagged


@pytest.mark.parametrize(("executed", "budget", "over"), [
    ("781.05", "781.06", False),  # under the budget
    ("781.06", "781.06", False),  # equal: 100.00%, not over
    ("781.07", "781.06", True),  # 0.01 over: the rate shows 100.00% (1.0000128), the amounts show it is over
    ("781.064", "781.06", False),  # printed 781.06 = 781.06 (rules.md §4: amounts as printed)
    ("781.065", "781.06", True),  # printed 781.07 > 781.06
])
def test_zp004_over_execution_compares_printed_amounts(executed: str, budget: str, over: bool) -> None:
    report = corrected(self_eval__funds__executed=D(executed), self_eval__funds__full_year_budget=D(budget),
                       self_eval__funds__execution_rate_stated=None, self_eval__funds__score_stated=None)
    cells = [f.cell for f in found(report, "ZP-004")]
    assert ("E5" in cells) is over  # the over-execution finding sits at 全年执行数 E5


# --------------------------------------------------------------------------- adjustment_warning_above (ZP-007)


@pytest.mark.parametrize(("full_year", "flagged"), [
    ("1299.90", False),  # (1299.90 − 1000)/1000 = 29.99%
    ("1300.00", False),  # 30.00%: at the edge is not above (>)
    ("1300.04", False),  # 0.30004 → 30.00% as shown
    ("1300.05", True),  # 0.30005 → half-up → 30.01% as shown
    ("1300.10", True),  # 30.01%
])
def test_zp007_budget_adjustment_above_30(full_year: str, flagged: bool) -> None:
    report = corrected(self_eval__funds__initial_budget=D("1000.00"),
                       self_eval__funds__full_year_budget=D(full_year))
    assert bool(found(report, "ZP-007")) is flagged


# --------------------------------------------------------------------------- public_funds_low_rate (BD-009)


@pytest.mark.parametrize(("actual", "budget", "low"), [
    ("59.99", "100.00", True),  # 59.99% < 60%
    ("60.00", "100.00", False),  # 60.00%: at the edge is not below
    ("60.01", "100.00", False),
    ("1.79", "3.00", True),  # 0.596667 → 59.67%
    ("1.80", "3.00", False),  # 60.00%
])
def test_bd009_low_public_funds_rate_is_information(actual: str, budget: str, low: bool) -> None:
    report = corrected(basic__public_funds__actual=D(actual), basic__public_funds__budget=D(budget))
    findings = found(report, "BD-009")
    assert [f.severity for f in findings] == ([Severity.INFO] if low else [])
    if low:
        assert "低于60%" in findings[0].message


@pytest.mark.parametrize(("actual", "over"), [
    ("99.99", False),
    ("100.00", False),  # equal to the budget
    ("100.01", True),  # 0.01 over: at the amount tolerance
    ("100.004", False),  # printed 100.00 (half-up): not over as printed
    ("100.005", True),  # printed 100.01 (half-up): over as printed (rules.md §4: round operands to 2 dp)
])
def test_bd009_over_budget_at_the_amount_tolerance(actual: str, over: bool) -> None:
    report = corrected(basic__public_funds__actual=D(actual), basic__public_funds__budget=D("100.00"))
    warnings = [f for f in found(report, "BD-009") if f.severity == Severity.WARNING]
    assert bool(warnings) is over


# --------------------------------------------------------------------------- qualitative_bands (ZP-016)


@pytest.mark.parametrize(("score", "band"), [
    ("7.99", QualitativeBand.PARTIAL),  # 79.9% of 10
    ("8", QualitativeBand.ACHIEVED),  # 80% counts as 达成 (含80%)
    ("8.01", QualitativeBand.ACHIEVED),
    ("5.99", QualitativeBand.NOT_ACHIEVED),  # 59.9%
    ("6", QualitativeBand.PARTIAL),  # 60% counts as 部分达成 (含60%)
    ("6.01", QualitativeBand.PARTIAL),
])
def test_qualitative_band_edges(score: str, band: QualitativeBand) -> None:
    assert qualitative_band(D(score), D(10)) is band


@pytest.mark.parametrize(("score", "wording", "flagged"), [
    ("11.99", "效果明显", True),  # 11.99/15 < 80% (12.00): 部分达成 band, wording says 达成
    ("12", "效果明显", False),  # 12/15 = 80%: 达成
    ("12.01", "效果明显", False),
    ("8.99", "基本完成", True),  # 8.99/15 < 60% (9.00): 未达成 band, wording says 部分达成
    ("9", "基本完成", False),  # 9/15 = 60%: 部分达成
    ("9.01", "基本完成", False),
])
def test_zp016_band_against_wording(score: str, wording: str, flagged: bool) -> None:
    report = with_paths(corrected(), {f"{SOCIAL_ROW}.score": D(score), f"{SOCIAL_ROW}.actual": wording})
    assert bool(found(report, "ZP-016")) is flagged


# --------------------------------------------------------------------------- grade_bands


@pytest.mark.parametrize(("total", "expected"), [
    ("89.99", "良"), ("90", "优"), ("90.01", "优"),
    ("79.99", "中"), ("80", "良"), ("80.01", "良"),
    ("59.99", "差"), ("60", "中"), ("60.01", "中"),
])
def test_grade_edges(total: str, expected: str) -> None:
    assert grade(D(total)) == expected


@pytest.mark.parametrize(("score", "total", "expected"), [
    ("6.99", "89.99", "良"),  # 20+10+10+10+13+6.99+10 = 79.99 of the rows, + 10 for 执行率 = 89.99
    ("7", "90.00", "优"),
    ("7.01", "90.01", "优"),
])
def test_calc_grade_of_a_report(score: str, total: str, expected: str) -> None:
    report = with_paths(corrected(), {f"{ROW_KEY.format(1, 3)}.score": D(score)})
    computed = compute(report)
    assert computed["calc.total_score"] == D(total)
    assert computed["calc.grade"] == expected


# --------------------------------------------------------------------------- execution_score_cap (ZP-005)


@pytest.mark.parametrize(("executed", "expected"), [
    ("99.00", "9.90"),  # 10 × min(0.99, 1)
    ("100.00", "10.00"),  # 10 × 1
    ("101.00", "10.00"),  # 10 × min(1.01, 1): capped (uncapped 10.10)
])
def test_execution_score_cap(executed: str, expected: str) -> None:
    assert execution_score(D(executed), D("100.00"), D(10)) == D(expected)


@pytest.mark.parametrize(("executed", "stated", "flagged"), [
    ("101.00", "10", False),  # capped: 10
    ("101.00", "10.1", True),  # the uncapped 10 × 1.01 is wrong
    ("99.00", "9.9", False),
])
def test_zp005_execution_score_with_the_cap(executed: str, stated: str, flagged: bool) -> None:
    report = corrected(self_eval__funds__executed=D(executed), self_eval__funds__full_year_budget=D("100.00"),
                       self_eval__funds__execution_rate_stated=None, self_eval__funds__score_stated=D(stated))
    assert bool(found(report, "ZP-005")) is flagged


# --------------------------------------------------------------------------- amount_tolerance (BD-005)


@pytest.mark.parametrize(("stated", "flagged"), [
    ("120.00", False),  # 80.00 + 40.00 (项目1, 项目6 of the seed) = 120.00
    ("119.99", True),  # 0.01 off
    ("120.01", True),
    ("120.004", False),  # printed 120.00
    ("120.005", True),  # printed 120.01 (half-up)
])
def test_bd005_typed_over_project_total(stated: str, flagged: bool) -> None:
    report = corrected(basic__projects_stated__budget=D(stated))
    findings = found(report, "BD-005")
    assert bool(findings) is flagged
    if flagged:
        b = bd_rows(len(report.basic.projects))
        assert [f.cell for f in findings] == [f"D{b['projects_stated']}"] and findings[0].computed == "120.00"


# --------------------------------------------------------------------------- score_tolerance (ZP-010)


@pytest.mark.parametrize(("stated", "flagged"), [
    ("98", False),  # 20+10+10+10+13+15+10 + 10 = 98
    ("97.99", True),
    ("98.01", True),
    ("98.004", False),  # 98.00 at 2 places
    ("98.005", True),  # 98.01 at 2 places (half-up)
])
def test_zp010_typed_over_total_score(stated: str, flagged: bool) -> None:
    report = corrected(self_eval__total_score_stated=D(stated))
    assert bool(found(report, "ZP-010")) is flagged


# --------------------------------------------------------------------------- rate_display_decimals (BD-001)


@pytest.mark.parametrize(("stated", "flagged"), [
    ("1.0526", False),  # 40/38 = 1.0526315… → 105.26%
    ("1.05264", False),  # 105.264% → 105.26%
    ("1.05265", True),  # 105.265% → half-up 105.27%
    ("1.05255", False),  # 105.255% → half-up 105.26%
    ("1.05254", True),  # 105.25%
])
def test_bd001_rates_compare_as_shown(stated: str, flagged: bool) -> None:
    report = corrected(basic__staff_actual=40, basic__staff_authorized=38, basic__staff_control_rate_stated=D(stated))
    assert bool(found(report, "BD-001")) is flagged


def test_rate_display_decimals_is_the_comparison_precision() -> None:
    # 105% typed: at 2 decimals of a percentage 105.00% ≠ 105.26%; at 0 decimals 105% = 105%
    report = corrected(basic__staff_actual=40, basic__staff_authorized=38, basic__staff_control_rate_stated=D("1.05"))
    assert found(report, "BD-001")
    assert not found(report, "BD-001", Config(rate_display_decimals=0))


# --------------------------------------------------------------------------- half-up rounding


def test_amounts_round_half_up() -> None:
    assert money(D("2.675")) == D("2.68")  # half-up (banker's rounding would give 2.68 too: 7 is odd)
    assert money(D("2.665")) == D("2.67")  # half-up; banker's would give 2.66
    assert money(D("-2.675")) == D("-2.68")  # half away from zero
    assert money(D("2.6749")) == D("2.67")
    assert fmt_amount(D("2.675")) == "2.68"


def test_rates_round_half_up() -> None:
    assert rate_display(D("0.123450"), 2) == D("0.1235")  # 12.345% → 12.35%
    assert fmt_rate(D("0.123450")) == "12.35%"
    assert fmt_rate(D("0.123449")) == "12.34%"


def test_a_double_read_from_a_cell_rounds_as_the_accountant_sees_it(tmp_path: Path) -> None:
    """Excel stores 2.675 as the double 2.67499999999999982…; the accountant sees 2.68 (Excel shows 15
    significant digits). Read through a real file, the amount must round to 2.68, not to float's 2.67."""
    assert f"{2.675:.2f}" == "2.67"  # what naive float rounding would print
    assert to_decimal(2.675) == D("2.675") and money(to_decimal(2.675)) == D("2.68")
    assert fmt_rate(to_decimal(0.12345)) == "12.35%"
    src = tmp_path / "float.xlsx"
    report = corrected(basic__projects_stated__budget=None)
    layout = fill(report, src).layout
    cell = layout.find("basic.projects[0].amounts.budget")
    wb = load_workbook(src)
    wb[BD_SHEET][cell.address].value = 2.675  # a float, as Excel stores it
    wb.save(src)
    read = read_workbook(src)
    amount = read.report.basic.projects[0].amounts.budget
    assert amount == D("2.675") and fmt_amount(amount) == "2.68"
    # 项目支出 2023年预算数 = 2.675 + 40.00 (项目6) = 42.675 → 42.68 (float arithmetic would print 42.67)
    assert compute(read.report)["basic.projects_stated.budget"] == D("42.68")


# --------------------------------------------------------------------------- BD-001: 分子分母颠倒


def test_bd001_names_numerator_and_denominator_swapped() -> None:
    # seed: 在职 40, 编制 38, stated 95% = 38/40 (编制/在职) while 40/38 = 105.26%
    seed = load_example()
    [finding] = found(seed, "BD-001")
    assert "95.00%" in finding.message and "105.26%" in finding.message
    assert "分子分母颠倒" in finding.message
    other = with_paths(load_example(), {"basic.staff_control_rate_stated": D("0.90")})
    [plain] = found(other, "BD-001")  # 90% is neither 40/38 nor 38/40: no hint
    assert "分子分母颠倒" not in plain.message


# --------------------------------------------------------------------------- 三公 change base (F2), 超编人数


def test_three_public_change_is_on_last_years_actuals() -> None:
    # F2 决算口径: (本年决算 − 上年决算) / 上年决算 = (0.40 − 0.50) / 0.50 = −0.20. A budget base would give
    # (0.40 − 1.00)/1.00 = −0.60, this year's base (0.40 − 0.50)/0.40 = −0.25.
    report = corrected(basic__reception__prev_actual=D("0.50"), basic__reception__budget=D("1.00"),
                       basic__reception__actual=D("0.40"), basic__three_public_stated__prev_actual=None,
                       basic__three_public_stated__budget=None, basic__three_public_stated__actual=None)
    assert compute(report)["calc.three_public_change"] == D("-0.2")
    # the seed: (0.00 − 0.11)/0.11 = −100.00% (rules.md §1 F2)
    assert fmt_rate(compute(load_example())["calc.three_public_change"]) == "-100.00%"
    # no spending last year: no base, not applicable (never 0 or 100%)
    zero = corrected(basic__reception__prev_actual=D("0.00"), basic__three_public_stated__prev_actual=None)
    assert compute(zero)["calc.three_public_change"] is None


@pytest.mark.parametrize(("actual", "authorized", "over", "bd002"), [
    (40, 38, D(2), True),  # 在职 − 编制 = 40 − 38 = +2: over the establishment
    (36, 38, D(-2), False),  # 36 − 38 = −2: two posts vacant
    (38, 38, D(0), False),
])
def test_staff_over_sign(actual: int, authorized: int, over: Decimal, bd002: bool) -> None:
    report = corrected(basic__staff_actual=actual, basic__staff_authorized=authorized,
                       basic__staff_control_rate_stated=None)
    assert compute(report)["calc.staff_over"] == over
    findings = found(report, "BD-002")
    assert bool(findings) is bd002
    if bd002:
        assert "超编2人" in findings[0].message


def test_native_formulas_use_the_same_base_and_sign(tmp_path: Path) -> None:
    """The 计算结果 sheet's own formulas, recalculated by LibreOffice, give the hand-derived numbers."""
    require_libreoffice()
    report = corrected(basic__reception__prev_actual=D("0.50"), basic__reception__budget=D("1.00"),
                       basic__reception__actual=D("0.40"), basic__three_public_stated__prev_actual=None,
                       basic__three_public_stated__budget=None, basic__three_public_stated__actual=None,
                       basic__staff_actual=36, basic__staff_authorized=38, basic__staff_control_rate_stated=None)
    src = tmp_path / "signs.xlsx"
    layout = fill(report, src).layout
    cells = {c.calc_key: c.address for c in layout.sheets[CALC_SHEET].cells if c.calc_key}
    values = recalc_values(src, [CALC_SHEET])[CALC_SHEET]
    assert values[cells["calc.three_public_change"]] == pytest.approx(-0.2)  # (0.40 − 0.50)/0.50
    assert values[cells["calc.staff_over"]] == pytest.approx(-2)  # 36 − 38
    assert [k for k, *_ in CALC_ITEMS][:3] == ["calc.staff_over", "calc.three_public_control",
                                               "calc.three_public_change"]


# --------------------------------------------------------------------------- typed-over subtotals


@pytest.fixture
def formula_book(tmp_path: Path) -> tuple[Path, str]:
    """The corrected seed filled with the 项目支出 total as the template's formula (nothing typed over)."""
    report = corrected(basic__projects_stated__prev_actual=None, basic__projects_stated__budget=None,
                       basic__projects_stated__actual=None)
    src = tmp_path / "formula.xlsx"
    layout = fill(report, src).layout
    address = layout.find("basic.projects_stated.budget").address
    assert str(load_workbook(src)[BD_SHEET][address].value).startswith("=SUM(")
    return src, address


def _type_over(src: Path, address: str, value: object, out: Path) -> Path:
    wb = load_workbook(src)
    wb[BD_SHEET][address].value = value
    wb.save(out)
    return out


def test_typed_over_subtotal_equal_to_the_sum(formula_book: tuple[Path, str], tmp_path: Path) -> None:
    src, address = formula_book
    typed = _type_over(src, address, 120, tmp_path / "equal.xlsx")  # 80.00 + 40.00 = 120.00: the true total
    result = validate_file(typed)
    assert not [f for f in result.findings.findings if f.code == "BD-005"]
    assert result.read.report.basic.projects_stated.budget == D(120)  # read as a stated (typed) value
    # 计算 notices the typed-over total and puts the formula back, saying so
    # (the corrected seed types over other derived cells too: compare with the untouched file)
    before = compute_file(src, tmp_path / "untouched.xlsx").restored
    computed = compute_file(typed, tmp_path / "computed.xlsx")
    assert f"{BD_SHEET}!{address}" not in before
    assert sorted(computed.restored) == sorted([*before, f"{BD_SHEET}!{address}"])
    assert str(load_workbook(tmp_path / "computed.xlsx")[BD_SHEET][address].value).startswith("=SUM(")


def test_typed_over_subtotal_unequal_to_the_sum(formula_book: tuple[Path, str], tmp_path: Path) -> None:
    src, address = formula_book
    typed = _type_over(src, address, 121, tmp_path / "unequal.xlsx")  # 1.00 more than 80.00 + 40.00
    findings = [f for f in validate_file(typed).findings.findings if f.code == "BD-005"]
    assert [(f.sheet, f.cell, f.stated, f.computed) for f in findings] == [(BD_SHEET, address, "121.00", "120.00")]


# --------------------------------------------------------------------------- verify: the fingerprint


@pytest.fixture(scope="module")
def final(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("verify")
    src = folder / "corrected.xlsx"
    fill(corrected(), src)
    path = export_file(src, folder / "final.xlsx", now=NOW).path
    assert verify_file(path).status == VerifyStatus.INTACT
    return path


OTHER_FP = "0" * 64


def _assert_caught(path: Path) -> None:
    result = verify_file(path)
    assert result.status != VerifyStatus.INTACT
    assert VerifyStatus.VALUES_CHANGED in result.problems


def test_verify_catches_a_changed_property_fingerprint_openpyxl(final: Path, tmp_path: Path) -> None:
    wb = load_workbook(final)
    name = CUSTOM_PROP_PREFIX + "fingerprint"
    wb.custom_doc_props[name].value = OTHER_FP
    wb.save(tmp_path / "prop.xlsx")
    _assert_caught(tmp_path / "prop.xlsx")


def test_verify_catches_a_changed_sheet_fingerprint_openpyxl(final: Path, tmp_path: Path) -> None:
    wb = load_workbook(final)
    ws = wb[EXPORT_SHEET]
    [row] = [r for r in ws.iter_rows(max_col=2) if r[0].value == "fingerprint"]
    row[1].value = OTHER_FP
    wb.save(tmp_path / "sheet.xlsx")
    _assert_caught(tmp_path / "sheet.xlsx")


def _rewrite_part(src: Path, out: Path, part: str, edit: Any) -> None:
    """Copy the package, passing one part's XML text through ``edit`` (the way a script would)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                text = data.decode("utf-8")
                new = edit(text)
                assert new != text, f"nothing changed in {part}"
                data = new.encode("utf-8")
            zout.writestr(item, data)


def _export_sheet_part(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    rid = re.search(rf'<sheet[^>]*name="{EXPORT_SHEET}"[^>]*r:id="(rId\d+)"', workbook)
    assert rid is not None
    target = re.search(rf'<Relationship[^>]*Id="{rid[1]}"[^>]*Target="([^"]+)"', rels) or \
        re.search(rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid[1]}"', rels)
    assert target is not None
    return "xl/" + target[1].lstrip("/").removeprefix("xl/")


def test_verify_catches_a_changed_property_fingerprint_in_the_xml(final: Path, tmp_path: Path) -> None:
    fp = verify_file(final).expected_fingerprint
    assert fp is not None
    out = tmp_path / "prop-xml.xlsx"
    _rewrite_part(final, out, "docProps/custom.xml", lambda text: text.replace(fp, OTHER_FP))
    _assert_caught(out)


def test_verify_catches_a_changed_sheet_fingerprint_in_the_xml(final: Path, tmp_path: Path) -> None:
    """The hidden sheet's fingerprint cell rewritten as an inline string (the shared string, also shown on
    校验摘要, stays): only the metadata changes."""
    fp = verify_file(final).expected_fingerprint
    assert fp is not None
    part = _export_sheet_part(final)
    wb = load_workbook(final)
    [address] = [r[1].coordinate for r in wb[EXPORT_SHEET].iter_rows(max_col=2) if r[0].value == "fingerprint"]

    def edit(text: str) -> str:
        cell = re.compile(rf'<c r="{address}"[^>]*?(/>|>.*?</c>)', re.DOTALL)
        return cell.sub(f'<c r="{address}" t="inlineStr"><is><t>{OTHER_FP}</t></is></c>', text, count=1)

    out = tmp_path / "sheet-xml.xlsx"
    _rewrite_part(final, out, part, edit)
    _assert_caught(out)
    shutil.copy(final, tmp_path / "untouched.xlsx")  # the check itself: an untouched copy is intact
    assert verify_file(tmp_path / "untouched.xlsx").status == VerifyStatus.INTACT


def test_layout_of_rates_is_the_template_one() -> None:
    """Guard for the tests above: 控制率 is the F column of the staff row (where BD-001 reports)."""
    layout = layout_for(corrected())
    b = bd_rows(len(corrected().basic.projects))
    assert layout.find("basic.staff_control_rate_stated").address == f"F{b['staff']}"
