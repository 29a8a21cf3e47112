"""Tests for perfeval.scoring: rules.md §2 and the seed checks (ZP-013..017, ZP-021/022)."""

from __future__ import annotations

import doctest
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import perfeval.scoring as scoring_module
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.indicators import parse_value
from perfeval.scoring import (
    Direction,
    IndicatorScore,
    QualitativeBand,
    band_for_wording,
    grade,
    infer_direction,
    qualitative_band,
    quantize_score,
    renormalised_total,
    score_indicator,
)

D = Decimal


# --------------------------------------------------------------------------- seed checks (怀化 2023)


def test_seed_key_work_count_over_achieved() -> None:
    """重点工作完成数 2次 → 4次, 20分: ZP-014 full marks, ZP-015 over-achievement flag."""
    r = score_indicator("重点工作完成数", "2次", "4次", D(20))
    assert r.direction is Direction.POSITIVE
    assert r.suggested_score == D("20.00")
    assert str(r.suggested_score) == "20.00"
    assert r.completion_ratio == D(2)
    assert r.over_achieved is True
    assert r.target_met is True
    assert r.explanation.startswith("正向指标：min(4/2, 1) × 20 = 20.00")
    assert "偏差原因" in r.explanation


def test_seed_public_satisfaction() -> None:
    r = score_indicator("社会公众满意度", "≥90%", "95%", D(10))
    assert r.direction is Direction.POSITIVE
    assert r.suggested_score == D("10.00")
    assert r.completion_ratio == D("1.0556")  # 95/90, 4 dp = 105.56%
    assert r.over_achieved is False
    assert r.target_met is True
    assert r.explanation == "正向指标：min(95/90, 1) × 10 = 10.00"


def test_seed_compliance_rate_bare_percentage_is_positive() -> None:
    r = score_indicator("达标完成率", "100%", "100%", D(10))
    assert r.direction is Direction.POSITIVE
    assert r.suggested_score == D("10.00")
    assert r.completion_ratio == D(1)
    assert r.over_achieved is False


def test_seed_three_public_expenses_is_qualitative() -> None:
    """三公经费控制率 ≤财政预算指标控制数 (ZP-022: comparator without a number)."""
    target = parse_value("≤财政预算指标控制数")
    assert infer_direction("三公经费控制率", target, D(10)) is Direction.QUALITATIVE
    r = score_indicator("三公经费控制率", "≤财政预算指标控制数", "实际控制在预算指标内", D(10))
    assert r.direction is Direction.QUALITATIVE
    assert r.suggested_score is None
    assert r.completion_ratio is None
    assert r.target_met is True
    assert band_for_wording("实际控制在预算指标内") is QualitativeBand.ACHIEVED


def test_seed_timeliness_deadline_is_qualitative() -> None:
    r = score_indicator("及时完成情况", "2023年12月31日前", "在规定时间内完成", D(10))
    assert r.direction is Direction.QUALITATIVE
    assert r.suggested_score is None
    assert r.target_met is True
    assert band_for_wording("在规定时间内完成") is QualitativeBand.ACHIEVED


def test_seed_social_benefit_band() -> None:
    """社会效益 13/15 = 86.67% with 效果明显 (ZP-013/016): inside 达成."""
    assert qualitative_band(D(13), D(15)) is QualitativeBand.ACHIEVED
    assert band_for_wording("效果明显") is QualitativeBand.ACHIEVED
    r = score_indicator("及时调解，妥善化解纠纷", "效果明显", "效果明显", D(15))
    assert r.direction is Direction.QUALITATIVE
    assert r.suggested_score is None
    assert r.target_met is True


def test_seed_not_applicable_rows() -> None:
    """经济效益 (三级 无, 分值 0) and 生态效益 (无/无/无, blank 分值) are 不适用 (ZP-017)."""
    economic = score_indicator("无", "效果明显", "效果明显", D(0))
    ecological = score_indicator("无", "无", "无", None)
    for r in (economic, ecological):
        assert r.direction is Direction.NOT_APPLICABLE
        assert r.suggested_score is None
        assert r.target_met is None


def test_seed_total_and_grade() -> None:
    rows = [(D(20), D(20)), (D(10), D(10)), (D(10), D(10)), (D(10), D(10)), (D(0), D(0))]
    rows += [(D(13), D(15)), (None, None), (D(15), D(15)), (D(10), D(10))]
    total = renormalised_total(rows, execution=(D(10), D(10)))
    assert total == D("98.00")
    assert grade(total) == "优"


# --------------------------------------------------------------------------- grade / bands / totals


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (D(100), "优"),
        (D(98), "优"),
        (D(90), "优"),
        (D("89.99"), "良"),
        (D(80), "良"),
        (D("79.99"), "中"),
        (D(60), "中"),
        (D("59.99"), "差"),
        (D(0), "差"),
        (D(-1), None),
        (None, None),
    ],
)
def test_grade(total: Decimal | None, expected: str | None) -> None:
    assert grade(total) == expected


def test_grade_uses_config() -> None:
    from perfeval.config import GradeBand

    strict = Config(
        grade_bands=(GradeBand(grade="优", min_score=D(95)), GradeBand(grade="差", min_score=D(0)))
    )
    assert grade(D(94), strict) == "差"
    assert grade(D(95), strict) == "优"


@pytest.mark.parametrize(
    ("score", "weight", "band"),
    [
        (D(15), D(15), QualitativeBand.ACHIEVED),
        (D(13), D(15), QualitativeBand.ACHIEVED),
        (D(12), D(15), QualitativeBand.ACHIEVED),
        (D("11.99"), D(15), QualitativeBand.PARTIAL),
        (D(9), D(15), QualitativeBand.PARTIAL),
        (D("8.99"), D(15), QualitativeBand.NOT_ACHIEVED),
        (D(0), D(15), QualitativeBand.NOT_ACHIEVED),
        (D("2.66"), D("3.33"), QualitativeBand.ACHIEVED),  # 80% of 3.33 = 2.664, unreachable at 2 dp
        (D(16), D(15), None),
        (D(-1), D(15), None),
        (D(0), D(0), None),
    ],
)
def test_qualitative_band(score: Decimal, weight: Decimal, band: QualitativeBand | None) -> None:
    assert qualitative_band(score, weight) is band


def test_qualitative_band_uses_config() -> None:
    config = Config(qualitative_bands=(D("0.9"), D("0.7")))
    assert qualitative_band(D(13), D(15), config) is QualitativeBand.PARTIAL  # 86.67% < 90%


@pytest.mark.parametrize(
    ("wording", "band"),
    [
        ("效果明显", QualitativeBand.ACHIEVED),
        ("达成", QualitativeBand.ACHIEVED),
        ("完成", QualitativeBand.ACHIEVED),
        ("已全部完成", QualitativeBand.ACHIEVED),
        ("在规定时间内完成", QualitativeBand.ACHIEVED),
        ("实际控制在预算指标内", QualitativeBand.ACHIEVED),
        ("是", QualitativeBand.ACHIEVED),
        ("部分达成", QualitativeBand.PARTIAL),
        ("基本完成", QualitativeBand.PARTIAL),
        ("效果一般", QualitativeBand.PARTIAL),
        ("未完成", QualitativeBand.NOT_ACHIEVED),
        ("未达成", QualitativeBand.NOT_ACHIEVED),
        ("效果较差", QualitativeBand.NOT_ACHIEVED),
        (" 未 完 成 ", QualitativeBand.NOT_ACHIEVED),
        ("否", QualitativeBand.NOT_ACHIEVED),
        ("及时调解，妥善化解纠纷", None),
        ("无", None),
        ("", None),
    ],
)
def test_band_for_wording(wording: str, band: QualitativeBand | None) -> None:
    assert band_for_wording(wording) is band


def test_renormalised_total_seed_example() -> None:
    """rules.md §2.4: one 10-pt row not applicable, raw 85 of 90 → 94.44."""
    assert renormalised_total([(D(75), D(80)), (None, D(10))], execution=(D(10), D(10))) == D("94.44")
    assert renormalised_total([(D(85), D(90)), (None, None)]) == D("94.44")
    assert renormalised_total([(D(85), D(90)), (D(0), D(0))]) == D("94.44")


def test_renormalised_total_edge_cases() -> None:
    assert renormalised_total([]) is None
    assert renormalised_total([(None, D(10)), (D(0), D(0))]) is None
    assert renormalised_total([(D(1), D(3))]) == D("33.33")
    assert renormalised_total([(D(2), D(3))]) == D("66.67")  # ROUND_HALF_UP of 66.666…


def test_quantize_score_half_up() -> None:
    assert quantize_score(D("2.665")) == D("2.67")
    assert quantize_score(D("2.675")) == D("2.68")
    assert quantize_score(D("-0.005")) == D("-0.01")
    assert str(quantize_score(D(20))) == "20.00"


# --------------------------------------------------------------------------- direction inference


@pytest.mark.parametrize(
    ("name", "target", "weight", "direction"),
    [
        ("重点工作完成数", "2次", D(20), Direction.POSITIVE),
        ("达标完成率", "100%", D(10), Direction.POSITIVE),
        ("满意度", "≥90%", D(10), Direction.POSITIVE),
        ("满意度", "＞90%", D(10), Direction.POSITIVE),
        ("办公成本", "≤5万元", D(10), Direction.NEGATIVE),
        ("办公成本", "5万元", D(10), Direction.NEGATIVE),  # reverse keyword, no comparator
        ("平均办理时长", "3天", D(10), Direction.NEGATIVE),
        ("投诉率", "<2%", D(10), Direction.NEGATIVE),
        ("办公成本", "≥5万元", D(10), Direction.POSITIVE),  # the comparator wins over the keyword
        ("达标率", "=100%", D(10), Direction.EQUAL),
        ("效益", "效果明显", D(15), Direction.QUALITATIVE),
        ("三公经费控制率", "≤财政预算指标控制数", D(10), Direction.QUALITATIVE),
        ("及时完成情况", "2023年12月31日前", D(10), Direction.QUALITATIVE),
        ("无", "效果明显", D(0), Direction.NOT_APPLICABLE),
        ("无", "无", None, Direction.NOT_APPLICABLE),
        ("", "", None, Direction.NOT_APPLICABLE),
        ("某指标", "无", D(0), Direction.NOT_APPLICABLE),
        ("某指标", "—", None, Direction.NOT_APPLICABLE),
        ("无", "效果明显", D(5), Direction.QUALITATIVE),  # weighted: not N/A (ZP-017 flags it elsewhere)
        ("某指标", "2次", D(0), Direction.POSITIVE),  # weight 0 alone is not N/A
    ],
)
def test_infer_direction(name: str, target: str, weight: Decimal | None, direction: Direction) -> None:
    assert infer_direction(name, parse_value(target), weight) is direction


def test_reverse_keywords_come_from_config() -> None:
    config = Config(reverse_keywords=("耗时",))
    assert infer_direction("审批耗时", parse_value("3天"), D(10), config) is Direction.NEGATIVE
    assert infer_direction("办公成本", parse_value("5万元"), D(10), config) is Direction.POSITIVE


# --------------------------------------------------------------------------- quantitative edge cases


def test_positive_under_achievement_is_proportional() -> None:
    r = score_indicator("完成数", "≥10次", "7次", D(20))
    assert r.suggested_score == D("14.00")
    assert r.completion_ratio == D("0.7")
    assert r.target_met is False
    assert r.over_achieved is False
    assert r.explanation == "正向指标：min(7/10, 1) × 20 = 14.00"


def test_positive_rounding_half_up() -> None:
    r = score_indicator("完成数", "≥3次", "2次", D(10))  # 6.666… → 6.67
    assert r.suggested_score == D("6.67")
    assert r.completion_ratio == D("0.6667")


def test_zero_target_positive_is_not_computable() -> None:
    r = score_indicator("完成数", "≥0次", "3次", D(10))
    assert r.direction is Direction.POSITIVE
    assert r.suggested_score is None
    assert r.completion_ratio is None
    assert "指标值为0无法按比例计分" in r.explanation


def test_negative_target_positive_is_not_computable() -> None:
    r = score_indicator("变动率", "≥-5%", "-8%", D(10))
    assert r.suggested_score is None
    assert r.target_met is False


def test_reverse_under_limit_full_marks() -> None:
    r = score_indicator("办公成本", "≤5万元", "4万元", D(10))
    assert r.direction is Direction.NEGATIVE
    assert r.suggested_score == D("10.00")
    assert r.completion_ratio == D("1.25")  # A/B
    assert r.over_achieved is True  # 125% ≥ 120%
    assert r.target_met is True


def test_reverse_over_limit_is_proportional() -> None:
    r = score_indicator("办公成本", "≤5万元", "6万元", D(10))
    assert r.suggested_score == D("8.33")
    assert r.completion_ratio == D("0.8333")
    assert r.target_met is False
    assert r.over_achieved is False
    assert r.explanation == "反向指标：min(5/6, 1) × 10 = 8.33"


def test_reverse_zero_actual_is_full_marks() -> None:
    r = score_indicator("投诉次数", "≤2次", "0次", D(10))
    assert r.suggested_score == D("10.00")
    assert r.completion_ratio is None  # A/0 is never computed
    assert r.target_met is True


def test_reverse_zero_target_exceeded_scores_zero() -> None:
    r = score_indicator("安全事故", "≤0次", "1次", D(10))
    assert r.suggested_score == D("0.00")
    assert r.completion_ratio == D(0)
    assert r.target_met is False


def test_reverse_by_keyword_without_comparator() -> None:
    r = score_indicator("平均办理时长", "3天", "4天", D(10))
    assert r.direction is Direction.NEGATIVE
    assert r.suggested_score == D("7.50")


def test_equal_missed_below() -> None:
    r = score_indicator("达标率", "=100%", "90%", D(10))
    assert r.direction is Direction.EQUAL
    assert r.suggested_score == D("9.00")
    assert r.target_met is False
    assert "min(90/100, 1)" in r.explanation


def test_equal_missed_above() -> None:
    r = score_indicator("达标率", "=100%", "125%", D(10))
    assert r.direction is Direction.EQUAL
    assert r.suggested_score == D("8.00")  # 100/125 × 10, the 反向 side
    assert r.target_met is False
    assert r.completion_ratio == D("1.25")
    assert r.over_achieved is True
    assert "min(100/125, 1)" in r.explanation


def test_equal_hit() -> None:
    r = score_indicator("达标率", "=100%", "100.0%", D(10))
    assert r.suggested_score == D("10.00")
    assert r.target_met is True


def test_strict_comparator_at_the_boundary() -> None:
    r = score_indicator("满意度", "＞90%", "90%", D(10))
    assert r.suggested_score == D("10.00")  # min(B/A, 1) = 1
    assert r.target_met is False
    assert "未严格满足" in r.explanation


def test_unit_mismatch_is_qualitative() -> None:
    r = score_indicator("满意度", "≥90%", "3次", D(10))
    assert r.direction is Direction.QUALITATIVE
    assert r.suggested_score is None
    assert "单位不一致" in r.explanation


def test_missing_actual_unit_is_accepted() -> None:
    r = score_indicator("完成数", "≥10次", "8", D(10))
    assert r.direction is Direction.POSITIVE
    assert r.suggested_score == D("8.00")
    r = score_indicator("满意度", "≥90%", 95, D(10))
    assert r.suggested_score == D("10.00")
    assert r.completion_ratio == D("1.0556")


def test_excel_percent_fraction_actual() -> None:
    r = score_indicator("满意度", "≥90%", 0.855, D(10))
    assert r.suggested_score == D("9.50")  # 85.5/90 × 10
    assert "按百分比" in r.explanation


def test_full_width_target_and_actual() -> None:
    r = score_indicator("满意度", "≥９０％", "９５％", D(10))
    assert r.suggested_score == D("10.00")
    assert r.completion_ratio == D("1.0556")


def test_non_numeric_or_blank_actual() -> None:
    blank = score_indicator("完成数", "≥10次", "", D(10))
    assert blank.suggested_score is None
    assert blank.target_met is None
    assert "为空" in blank.explanation
    text = score_indicator("完成数", "≥10次", "未完成", D(10))
    assert text.suggested_score is None
    assert text.target_met is False


def test_missing_weight_still_gives_ratio() -> None:
    r = score_indicator("完成数", "≥10次", "5次", None)
    assert r.suggested_score is None
    assert r.completion_ratio == D("0.5")
    assert "未填分值" in r.explanation


def test_negative_weight_is_not_computable() -> None:
    # a typo in the sheet must not stop the checker: no suggested score, a Chinese reason (ZP-011 flags it)
    r = score_indicator("完成数", "≥10次", "5次", D(-1))
    assert r.suggested_score is None and r.completion_ratio is None
    assert "分值-1为负数" in r.explanation


def test_over_achievement_threshold_from_config() -> None:
    config = Config(over_achievement_ratio=D("1.05"))
    assert score_indicator("满意度", "≥90%", "95%", D(10), config).over_achieved is True
    assert score_indicator("满意度", "≥90%", "95%", D(10)).over_achieved is False
    exact = score_indicator("完成数", "≥10次", "12次", D(10))  # 120% exactly: at the threshold
    assert exact.over_achieved is True


def test_deadline_with_date_actual() -> None:
    on_time = score_indicator("及时完成情况", "2023年12月31日前", "2023年12月31日", D(10))
    assert on_time.suggested_score == D("10.00")
    assert on_time.target_met is True
    assert "不晚于" in on_time.explanation
    late = score_indicator("及时完成情况", "2023年12月31日前", "2024-01-05", D(10))
    assert late.suggested_score == D("0.00")
    assert late.target_met is False
    assert "晚于期限" in late.explanation


def test_result_is_frozen() -> None:
    r = score_indicator("完成数", "2次", "4次", D(20))
    assert isinstance(r, IndicatorScore)
    with pytest.raises(ValueError, match="frozen"):
        r.suggested_score = D(0)  # type: ignore[misc]


def test_doctests() -> None:
    result = doctest.testmod(scoring_module)
    assert result.attempted > 0
    assert result.failed == 0


# --------------------------------------------------------------------------- properties

_POSITIVE = st.decimals(min_value=D("0.01"), max_value=D(100000), places=2)
_NON_NEGATIVE = st.decimals(min_value=D(0), max_value=D(100000), places=2)
_WEIGHT = st.decimals(min_value=D(0), max_value=D(100), places=2)


@given(_POSITIVE, _NON_NEGATIVE, _WEIGHT, st.sampled_from(["≥", "", "不低于"]), st.sampled_from(["%", "次"]))
def test_positive_score_bounds(a: Decimal, b: Decimal, w: Decimal, comparator: str, unit: str) -> None:
    r = score_indicator("完成数", f"{comparator}{a}{unit}", f"{b}{unit}", w)
    assert r.direction is Direction.POSITIVE
    assert r.suggested_score is not None
    assert D(0) <= r.suggested_score <= w
    assert r.target_met is (b >= a)
    if b >= a:
        assert r.suggested_score == quantize_score(w)
    else:
        assert r.suggested_score == (b / a * w).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    ratio = (b / a).quantize(D("0.0001"), rounding=ROUND_HALF_UP)  # compared at 2 dp of a percentage
    assert r.completion_ratio == ratio
    assert r.over_achieved is (ratio >= DEFAULT_CONFIG.over_achievement_ratio)


@given(_POSITIVE, _NON_NEGATIVE, _WEIGHT)
def test_positive_score_full_iff_target_reached(a: Decimal, b: Decimal, w: Decimal) -> None:
    """Full marks ⇔ B ≥ A, whenever the shortfall is visible at 0.01 分."""
    assume(w > 0)
    assume(b >= a or (a - b) / a * w >= D("0.005"))  # a miss big enough to show at 0.01
    r = score_indicator("完成数", f"≥{a}", f"{b}", w)
    assert (r.suggested_score == quantize_score(w)) is (b >= a)


@given(_NON_NEGATIVE, _NON_NEGATIVE, _WEIGHT)
def test_reverse_score_bounds(a: Decimal, b: Decimal, w: Decimal) -> None:
    r = score_indicator("办公成本", f"≤{a}万元", f"{b}万元", w)
    assert r.direction is Direction.NEGATIVE
    assert r.suggested_score is not None
    assert D(0) <= r.suggested_score <= w
    assert r.target_met is (b <= a)
    if b <= a:
        assert r.suggested_score == quantize_score(w)
    else:
        assert r.suggested_score == quantize_score(a / b * w)


@given(_POSITIVE, _NON_NEGATIVE, _WEIGHT)
def test_equal_score_bounds(a: Decimal, b: Decimal, w: Decimal) -> None:
    r = score_indicator("达标率", f"={a}%", f"{b}%", w)
    assert r.direction is Direction.EQUAL
    assert r.suggested_score is not None
    assert D(0) <= r.suggested_score <= w
    assert r.target_met is (b == a)
    expected = w if b == a else (b / a * w if b < a else a / b * w)
    assert r.suggested_score == quantize_score(expected)


@given(
    st.lists(st.tuples(_NON_NEGATIVE, _POSITIVE), min_size=1, max_size=8),
    st.integers(min_value=0, max_value=3),
)
def test_renormalised_total_ignores_not_applicable_rows(
    rows: list[tuple[Decimal, Decimal]], extra: int
) -> None:
    rows = [(min(s, w), w) for s, w in rows]
    base = renormalised_total(list(rows))
    padded = renormalised_total([*rows, *[(None, D(10))] * extra, *[(D(0), D(0))] * extra])
    assert base == padded
    assert base is not None
    assert D(0) <= base <= D(100)


@given(
    st.decimals(min_value=D(0), max_value=D(100), places=2),
    st.decimals(min_value=D(0), max_value=D(100), places=2),
)
def test_grade_monotone(x: Decimal, y: Decimal) -> None:
    order = ["差", "中", "良", "优"]
    low, high = sorted((x, y))
    assert order.index(grade(low) or "") <= order.index(grade(high) or "")


@given(st.decimals(min_value=D("0.01"), max_value=D(100), places=2), st.data())
def test_qualitative_band_monotone(weight: Decimal, data: st.DataObject) -> None:
    s1 = data.draw(st.decimals(min_value=D(0), max_value=weight, places=2))
    s2 = data.draw(st.decimals(min_value=s1, max_value=weight, places=2))
    order = [QualitativeBand.NOT_ACHIEVED, QualitativeBand.PARTIAL, QualitativeBand.ACHIEVED]
    b1, b2 = qualitative_band(s1, weight), qualitative_band(s2, weight)
    assert b1 is not None and b2 is not None
    assert order.index(b1) <= order.index(b2)
    assert qualitative_band(weight, weight) is QualitativeBand.ACHIEVED
