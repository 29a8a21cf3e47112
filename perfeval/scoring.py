"""Indicator scoring (rules.md §2): 正向 / 反向 / 等于 / 定性 / 不适用, totals and grade.

Formulas (A = 年度指标值, B = 实际完成值, w = 分值):

* 正向 (≥, >, 不低于; a bare count ``2次`` or percentage ``100%``): ``min(B/A, 1) × w``.
* 反向 (≤, <, 不高于; or, without comparator, a 三级指标 name containing ``config.reverse_keywords``):
  ``B ≤ A → w``, else ``min(A/B, 1) × w``. ``B = 0`` is therefore full marks.
* 等于 (=): ``B == A → w``; below, scored as 正向 ``B/A × w``; above, as 反向 ``A/B × w``.
* 定性 (text, a comparator without a number, a deadline, mismatched units): the unit judges in three bands
  (§2.3) and :func:`qualitative_band` / :func:`band_for_wording` help check the choice; no suggested score.
  A deadline with a date as 实际完成值 is decided: on or before the deadline → w, after → 0.
* 不适用: 三级指标 or 年度指标值 blank / ``无`` and no 分值 → excluded; :func:`renormalised_total` re-scales.

All arithmetic is :class:`~decimal.Decimal`; scores are rounded to 0.01 with ROUND_HALF_UP only at the end,
ratios to the rate display precision of :class:`~perfeval.config.Config`. Thresholds come from the config.
A ratio is never computed over a zero (or negative) denominator; the result is then "not computable"
(``suggested_score`` None) with a Chinese explanation.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from pydantic import BaseModel, ConfigDict

from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.indicators import (
    Comparator,
    ParsedValue,
    RawValue,
    ValueKind,
    format_decimal,
    normalise_text,
    parse_value,
)
from perfeval.numbers import round_to

if TYPE_CHECKING:
    from perfeval.model import Level3

__all__ = [
    "Direction",
    "IndicatorScore",
    "QualitativeBand",
    "band_for_wording",
    "capped_total",
    "execution_factor",
    "grade",
    "infer_direction",
    "qualitative_band",
    "quantize_score",
    "renormalised_total",
    "score_indicator",
    "score_row",
]

_CENT: Final = Decimal("0.01")
_ZERO: Final = Decimal(0)
_ONE: Final = Decimal(1)
_HUNDRED: Final = Decimal(100)


class Direction(StrEnum):
    """指标类型 of one 三级指标 row."""

    POSITIVE = "正向"
    NEGATIVE = "反向"
    EQUAL = "等于"
    QUALITATIVE = "定性"
    NOT_APPLICABLE = "不适用"


class QualitativeBand(StrEnum):
    """The three bands of rules.md §2.3."""

    ACHIEVED = "达成"
    PARTIAL = "部分达成"
    NOT_ACHIEVED = "未达成"


class IndicatorScore(BaseModel):
    """The computed view of one indicator row. Immutable."""

    model_config = ConfigDict(frozen=True)

    direction: Direction
    suggested_score: Decimal | None
    """0.01-rounded 得分; None for 定性 (the unit judges), 不适用, or when not computable."""
    completion_ratio: Decimal | None
    """B/A for 正向 and 等于, A/B for 反向, uncapped; None when not computable."""
    over_achieved: bool
    """``completion_ratio >= config.over_achievement_ratio`` (ZP-015: 偏差原因 required)."""
    target_met: bool | None
    """Whether B satisfies the comparator of A (strictly for > / <); None when undecidable."""
    explanation: str
    """Short Chinese text with the arithmetic, e.g. ``正向指标：min(4/2, 1) × 20 = 20.00``."""


def quantize_score(x: Decimal) -> Decimal:
    """Round a score to 0.01 分, ROUND_HALF_UP (at any magnitude)."""
    return round_to(x, 2)


# --------------------------------------------------------------------------- helpers


def _as_parsed(value: RawValue | ParsedValue) -> ParsedValue:
    return value if isinstance(value, ParsedValue) else parse_value(value)


def _as_decimal(value: Decimal | int | float | str | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):  # tolerate a float weight from a spreadsheet, via its shortest repr
        return Decimal(repr(value))
    return Decimal(value)


def _fmt(number: Decimal) -> str:
    return format_decimal(number)


def _pct(ratio: Decimal, decimals: int) -> str:
    return f"{round_to(ratio * _HUNDRED, decimals)}%"


def _threshold_pct(ratio: Decimal) -> str:
    return f"{format_decimal((ratio * _HUNDRED).normalize())}%"


def _is_absent_text(text: str | None) -> bool:
    return text is None or parse_value(text).is_absent


# --------------------------------------------------------------------------- direction


def infer_direction(
    level3_name: str | None,
    target: ParsedValue,
    weight: Decimal | None,
    config: Config = DEFAULT_CONFIG,
) -> Direction:
    """The 指标类型 implied by the 三级指标 name, the parsed 年度指标值 and the 分值.

    * 不适用 — name or target blank / none-marker (``无``, ``—``) **and** weight None or 0 (§2.4, ZP-017).
    * 正向 — comparator ≥ / >; or a number without comparator (``2次``, ``100%`` [I]) unless the name is 反向.
    * 反向 — comparator ≤ / <; or no comparator and the name contains one of ``config.reverse_keywords``.
    * 等于 — comparator =.
    * 定性 — everything else: text, a comparator without a number (``≤财政预算指标控制数``), a deadline
      (a deadline is decided by :func:`score_indicator` only when the 实际完成值 is a date too).
    """
    no_weight = weight is None or weight == 0
    if no_weight and (_is_absent_text(level3_name) or target.is_absent):
        return Direction.NOT_APPLICABLE
    if target.kind is not ValueKind.QUANTITATIVE:
        return Direction.QUALITATIVE
    match target.comparator:
        case Comparator.GE | Comparator.GT:
            return Direction.POSITIVE
        case Comparator.LE | Comparator.LT:
            return Direction.NEGATIVE
        case Comparator.EQ:
            return Direction.EQUAL
        case None:
            name = normalise_text(level3_name or "")
            if any(keyword in name for keyword in config.reverse_keywords):
                return Direction.NEGATIVE
            return Direction.POSITIVE


# --------------------------------------------------------------------------- qualitative helpers

_WORDING_NOT_ACHIEVED: Final = (
    "未完成",
    "未达成",
    "未达到",
    "未达标",
    "没有完成",
    "未按时",
    "未能",
    "不达标",
    "不合格",
    "不满意",
    "效果较差",
    "效果差",
    "较差",
)
_WORDING_PARTIAL: Final = (
    "部分达成",
    "部分完成",
    "部分达到",
    "基本完成",
    "基本达成",
    "基本达到",
    "基本满意",
    "效果一般",
    "一般",
)
_WORDING_ACHIEVED: Final = (
    "效果明显",
    "效果显著",
    "效果良好",
    "效果较好",
    "成效明显",
    "达成",
    "完成",
    "达到",
    "达标",
    "控制在预算",
    "预算指标内",
    "未超",
    "按时",
    "如期",
    "合格",
    "满意",
)


def band_for_wording(actual_text: str | None) -> QualitativeBand | None:
    """The §2.3 band that the wording of a 实际完成值 claims, or None when the wording says nothing.

    Negations are checked first (``未完成`` contains ``完成``), then partial wordings (``基本完成``), then
    achieved ones: ``效果明显``/``达成``/``完成``/``在规定时间内完成``/``实际控制在预算指标内`` → 达成;
    ``部分达成``/``基本完成``/``效果一般`` → 部分达成; ``未完成``/``未达成``/``效果较差`` → 未达成.
    A bare ``是`` / ``否`` (是否按时完成) reads as 达成 / 未达成.
    """
    if actual_text is None:
        return None
    text = "".join(normalise_text(actual_text).split())
    if not text:
        return None
    if text == "是":
        return QualitativeBand.ACHIEVED
    if text == "否":
        return QualitativeBand.NOT_ACHIEVED
    for words, band in (
        (_WORDING_NOT_ACHIEVED, QualitativeBand.NOT_ACHIEVED),
        (_WORDING_PARTIAL, QualitativeBand.PARTIAL),
        (_WORDING_ACHIEVED, QualitativeBand.ACHIEVED),
    ):
        if any(word in text for word in words):
            return band
    return None


def qualitative_band(
    score: Decimal, weight: Decimal, config: Config = DEFAULT_CONFIG
) -> QualitativeBand | None:
    """The §2.3 band of ``score / weight`` (``config.qualitative_bands``): 达成 ≥ 80%, 部分达成 ≥ 60%.

    Below 60% it is 未达成. A band boundary counts as reached when the score is less than
    ``config.score_tolerance`` below it (a 2-dp score cannot hit 80% of 3.33 exactly), so 11.99/15 is
    部分达成 but 2.66/3.33 is 达成. None when ``weight`` ≤ 0 or the score lies outside [0, weight].
    """
    if weight <= 0:
        return None
    tolerance = config.score_tolerance
    if score < -tolerance or score > weight + tolerance:
        return None
    achieved, partial = config.qualitative_bands
    if score > achieved * weight - tolerance:
        return QualitativeBand.ACHIEVED
    if score > partial * weight - tolerance:
        return QualitativeBand.PARTIAL
    return QualitativeBand.NOT_ACHIEVED


def _bands_text(config: Config) -> str:
    achieved, partial = config.qualitative_bands
    return (
        f"达成得{_threshold_pct(achieved)}–100%分值，部分达成{_threshold_pct(partial)}–{_threshold_pct(achieved)}，"
        f"未达成低于{_threshold_pct(partial)}"
    )


def _qualitative(target: ParsedValue, actual: ParsedValue, config: Config, reason: str) -> IndicatorScore:
    band = band_for_wording(actual.text if actual.kind is ValueKind.QUALITATIVE else None)
    target_met: bool | None
    if band is not None:
        target_met = band is QualitativeBand.ACHIEVED
        wording = f"；实际完成值“{actual.text}”对应“{band.value}”"
    elif (
        actual.kind is ValueKind.QUALITATIVE
        and not actual.is_absent
        and normalise_text(actual.text) == normalise_text(target.text)
        and target.comparator is None
    ):
        target_met = True
        wording = "；实际完成值与年度指标值一致"
    else:
        target_met = None
        wording = ""
    return IndicatorScore(
        direction=Direction.QUALITATIVE,
        suggested_score=None,
        completion_ratio=None,
        over_achieved=False,
        target_met=target_met,
        explanation=f"定性指标（{reason}）：由单位按三档评分（{_bands_text(config)}）{wording}",
    )


def _not_computable(direction: Direction, target_met: bool | None, explanation: str) -> IndicatorScore:
    return IndicatorScore(
        direction=direction,
        suggested_score=None,
        completion_ratio=None,
        over_achieved=False,
        target_met=target_met,
        explanation=explanation,
    )


# --------------------------------------------------------------------------- deadlines


def _score_deadline(target: ParsedValue, actual: ParsedValue, weight: Decimal | None) -> IndicatorScore:
    assert target.deadline is not None and actual.deadline is not None
    due, done = target.deadline, actual.deadline
    comparator = target.comparator
    met_by: dict[Comparator | None, tuple[bool, Direction, str, str]] = {
        None: (done <= due, Direction.NEGATIVE, "不晚于", "晚于"),
        Comparator.LE: (done <= due, Direction.NEGATIVE, "不晚于", "晚于"),
        Comparator.LT: (done < due, Direction.NEGATIVE, "早于", "不早于"),
        Comparator.GE: (done >= due, Direction.POSITIVE, "不早于", "早于"),
        Comparator.GT: (done > due, Direction.POSITIVE, "晚于", "不晚于"),
        Comparator.EQ: (done == due, Direction.EQUAL, "等于", "不等于"),
    }
    met, direction, yes, no = met_by[comparator]
    relation = yes if met else no
    head = f"时效指标：实际完成日期{_iso(done)}{relation}期限{_iso(due)}"
    if weight is None:
        explanation = f"{head}，{'达到' if met else '未达到'}要求；未填分值，无法计算得分"
        score = None
    elif met:
        score = quantize_score(weight)
        explanation = f"{head}，得满分 {score}"
    else:
        score = quantize_score(_ZERO)
        explanation = f"{head}，得0分 = {score}"
    return IndicatorScore(
        direction=direction,
        suggested_score=score,
        completion_ratio=None,
        over_achieved=False,
        target_met=met,
        explanation=explanation,
    )


def _iso(date: datetime.date) -> str:
    return date.isoformat()


# --------------------------------------------------------------------------- quantitative


def _reconcile_units(target: ParsedValue, actual: ParsedValue) -> tuple[Decimal, Decimal, str] | str:
    """(A, B, note) with units reconciled, or a reason string when the units disagree.

    A missing unit on one side is accepted as the other side's unit. One exception [I]: ``%`` against a bare
    number in (0, 1] while the other side is above 1 reads the bare number as a fraction (0.95 from an Excel
    percent cell → 95%); the note says so.
    """
    assert target.number is not None and actual.number is not None
    a, b = target.number, actual.number
    if target.unit and actual.unit and target.unit != actual.unit:
        return f"单位不一致：年度指标值单位“{target.unit}”，实际完成值单位“{actual.unit}”"
    note = ""
    if target.unit == "%" and not actual.unit and _ZERO < b <= _ONE < a:
        b = (b * _HUNDRED).normalize()
        note = f"（实际完成值{_fmt(actual.number)}按百分比{_fmt(b)}%计）"
    elif actual.unit == "%" and not target.unit and _ZERO < a <= _ONE < b:
        a = (a * _HUNDRED).normalize()
        note = f"（年度指标值{_fmt(target.number)}按百分比{_fmt(a)}%计）"
    return a, b, note


def _is_met(comparator: Comparator | None, direction: Direction, a: Decimal, b: Decimal) -> bool:
    match comparator:
        case Comparator.GE:
            return b >= a
        case Comparator.GT:
            return b > a
        case Comparator.LE:
            return b <= a
        case Comparator.LT:
            return b < a
        case Comparator.EQ:
            return b == a
        case None:
            return b <= a if direction is Direction.NEGATIVE else b >= a


def score_indicator(
    level3_name: str | None,
    target_raw: RawValue | ParsedValue,
    actual_raw: RawValue | ParsedValue,
    weight: Decimal | None,
    config: Config = DEFAULT_CONFIG,
) -> IndicatorScore:
    """Score one 三级指标 row by rules.md §2 (see the module docstring for the formulas).

    ``target_raw`` / ``actual_raw`` are cell contents (or already parsed values). The result is a
    *suggestion*: it never replaces a user-entered 得分 (the reviewer compares, ZP-014).

    >>> score_indicator("重点工作完成数", "2次", "4次", Decimal(20)).explanation
    '正向指标：min(4/2, 1) × 20 = 20.00；完成比例200.00%≥120%，超额完成需说明偏差原因'
    """
    target = _as_parsed(target_raw)
    actual = _as_parsed(actual_raw)
    w = _as_decimal(weight)
    direction = infer_direction(level3_name, target, w, config)
    if w is not None and w < 0:  # a typo in the sheet: ZP-011 reports it; no score is suggested
        return _not_computable(direction, None, f"分值{_fmt(w)}为负数，无法计分，请改为正数")

    if direction is Direction.NOT_APPLICABLE:
        return IndicatorScore(
            direction=direction,
            suggested_score=None,
            completion_ratio=None,
            over_achieved=False,
            target_met=None,
            explanation="不适用指标：三级指标或年度指标值为空/“无”且未赋分值，不参与计分（按适用指标折算）",
        )
    if target.kind is ValueKind.DEADLINE and actual.kind is ValueKind.DEADLINE:
        return _score_deadline(target, actual, w)
    if direction is Direction.QUALITATIVE:
        reason = {
            ValueKind.DEADLINE: "年度指标值为时限，实际完成值不是日期",
            ValueKind.EMPTY: "年度指标值为空",
        }.get(target.kind, "年度指标值无数值" if target.comparator is not None else "年度指标值为文字")
        return _qualitative(target, actual, config, reason)

    # quantitative target from here on
    assert target.number is not None
    label = f"{direction.value}指标"
    if actual.kind is not ValueKind.QUANTITATIVE:
        band = band_for_wording(actual.text) if actual.kind is ValueKind.QUALITATIVE else None
        what = "为空" if actual.kind is ValueKind.EMPTY else f"“{actual.raw.strip()}”不是数值"
        return _not_computable(
            direction,
            None if band is None else band is QualitativeBand.ACHIEVED,
            f"{label}：实际完成值{what}，无法按公式计分",
        )
    units = _reconcile_units(target, actual)
    if isinstance(units, str):
        return _qualitative(target, actual, config, f"{units}，无法定量计分")
    a, b, note = units
    met = _is_met(target.comparator, direction, a, b)
    a_txt, b_txt = _fmt(a), _fmt(b)  # the A and B of the rules, as written

    factor: Decimal
    ratio: Decimal | None
    if direction is Direction.POSITIVE:
        if a <= 0:
            why = "指标值为0无法按比例计分" if a == 0 else "指标值为负数无法按比例计分"
            return _not_computable(direction, met, f"{label}：{why}{note}，请由单位判断")
        ratio = b / a
        factor = max(min(ratio, _ONE), _ZERO)
        formula = f"min({b_txt}/{a_txt}, 1)"
    elif direction is Direction.NEGATIVE:
        if a < 0:
            return _not_computable(direction, met, f"{label}：指标值为负数无法按比例计分{note}，请由单位判断")
        ratio = a / b if b > 0 else None
        if b <= a:
            factor, formula = _ONE, f"{b_txt} ≤ {a_txt}，得满分"
        else:  # b > a >= 0, so b > 0
            factor, formula = min(a / b, _ONE), f"min({a_txt}/{b_txt}, 1)"
    else:  # EQUAL
        if a < 0 or b < 0:
            if b != a:
                return _not_computable(
                    direction, met, f"{label}：指标值或实际值为负数无法按比例计分{note}，请由单位判断"
                )
        ratio = b / a if a > 0 else None
        if b == a:
            factor, formula = _ONE, f"{b_txt} = {a_txt}，得满分"
        elif b < a:  # 0 <= b < a: the 正向 side
            factor, formula = b / a, f"低于指标值按正向 min({b_txt}/{a_txt}, 1)"
        else:  # b > a >= 0: the 反向 side
            factor, formula = a / b, f"高于指标值按反向 min({a_txt}/{b_txt}, 1)"

    places = config.rate_display_decimals
    ratio_q = None if ratio is None else round_to(ratio, places + 2)
    over = ratio_q is not None and ratio_q >= config.over_achievement_ratio

    if w is None:
        score = None
        explanation = f"{label}：{formula}{note}；未填分值，无法计算得分"
    else:
        score = quantize_score(factor * w)
        if factor == _ONE and formula.endswith("得满分"):
            explanation = f"{label}：{formula} {score}{note}"
        else:
            explanation = f"{label}：{formula} × {_fmt(w)} = {score}{note}"
        if factor == 0 and ratio is not None and ratio < 0:
            explanation += "（实际值为负，按0计）"
    if not met and factor == _ONE:
        explanation += f"；注意：指标要求“{target.comparator}{a_txt}”，实际值未严格满足"
    if over and ratio_q is not None:
        explanation += (
            f"；完成比例{_pct(ratio_q, places)}≥{_threshold_pct(config.over_achievement_ratio)}，"
            "超额完成需说明偏差原因"
        )
    return IndicatorScore(
        direction=direction,
        suggested_score=score,
        completion_ratio=ratio_q,
        over_achieved=over,
        target_met=met,
        explanation=explanation,
    )


# --------------------------------------------------------------------------- totals


def grade(total: Decimal | None, config: Config = DEFAULT_CONFIG) -> str | None:
    """优 / 良 / 中 / 差 for a 总分 by ``config.grade_bands`` (lower bound inclusive); None for None or a
    total below every band."""
    if total is None:
        return None
    for band in sorted(config.grade_bands, key=lambda b: b.min_score, reverse=True):
        if total >= band.min_score:
            return band.grade
    return None


def execution_factor(rate: Decimal, config: Config = DEFAULT_CONFIG) -> Decimal:
    """The share of the 预算执行率 row's 分值 earned at ``rate`` (F7s): ``min(rate, cap)`` with the profile's
    ``execution_score_cap``, the rate itself when the profile leaves it uncapped (``None``)."""
    cap = config.execution_score_cap
    return rate if cap is None else min(rate, cap)


def capped_total(total: Decimal | None, rate: Decimal | None, config: Config = DEFAULT_CONFIG) -> Decimal | None:
    """The 总分 after the profile's ceilings by execution rate (``config.total_caps``, wave2 §2).

    None when the profile sets no ceiling (the figure does not apply) or ``total`` is None. Otherwise the lowest
    ``max_total`` among the caps with ``rate < rate_below`` (the rate compared as shown, at
    ``rate_display_decimals`` of a percentage), or ``total`` itself when none applies or the rate is unknown.
    """
    if not config.total_caps or total is None:
        return None
    if rate is None:
        return total
    shown = round_to(rate, config.rate_display_decimals + 2)
    ceilings = [cap.max_total for cap in config.total_caps if shown < cap.rate_below]
    return quantize_score(min([total, *ceilings]))


def renormalised_total(
    scores_and_weights: list[tuple[Decimal | None, Decimal | None]],
    execution: tuple[Decimal | None, Decimal | None] | None = None,
) -> Decimal | None:
    """``Σ 适用得分 / Σ 适用分值 × 100`` (rules.md §2.4), rounded to 0.01; None when Σ 适用分值 = 0.

    Rows are ``(得分, 分值)``. A row is applicable when it has a 得分 and a positive 分值; a row
    without 得分 (None) or without / with zero 分值 is 不适用 and left out of both sums — so
    ``(None, 10)`` is "a 10-point row not applicable". ``execution`` is the 预算执行率 row, counted
    like any other. With every row applicable and Σ分值 = 100 this is simply Σ得分.
    """
    rows = list(scores_and_weights)
    if execution is not None:
        rows.append(execution)
    total_score = _ZERO
    total_weight = _ZERO
    for score, weight in rows:
        if score is None or weight is None or weight <= 0:
            continue
        total_weight += weight
        total_score += score
    if total_weight == 0:
        return None
    return quantize_score(total_score / total_weight * _HUNDRED)


# --------------------------------------------------------------------------- a 三级 row, remembered

#: score_row's results: per config (kept alive with it, so that its id cannot be reused), per row contents.
_ROW_SCORES: dict[int, tuple[Config, dict[tuple[object, ...], IndicatorScore]]] = {}
_MAX_CONFIGS, _MAX_ROWS, _MAX_TEXT = 4, 4096, 400  # a few MB at most


def score_row(row: Level3, config: Config = DEFAULT_CONFIG) -> IndicatorScore:
    """:func:`score_indicator` of a 三级 row as 计算 and the rules score it (its name, :meth:`~Level3.scoring_target`,
    实际完成值 and 分值). A result is immutable and depends on nothing else, so rows with the same contents share
    it: the rules score again what 计算 scored, and a receiver's workbooks repeat many rows."""
    weight = row.weight
    texts = (row.name, row.target, row.comparator, row.unit, row.actual)
    if sum(len(text) for text in texts) > _MAX_TEXT:
        return score_indicator(row.name, row.scoring_target(), row.actual, weight, config)
    entry = _ROW_SCORES.get(id(config))
    if entry is None or entry[0] is not config:
        if len(_ROW_SCORES) >= _MAX_CONFIGS:
            _ROW_SCORES.clear()
        entry = _ROW_SCORES[id(config)] = (config, {})
    scores = entry[1]
    key = (*texts, None if weight is None else (type(weight), str(weight)))  # str: 20 and 20.0 explain differently
    result = scores.get(key)
    if result is None:
        if len(scores) >= _MAX_ROWS:
            scores.clear()
        result = scores[key] = score_indicator(row.name, row.scoring_target(), row.actual, weight, config)
    return result
