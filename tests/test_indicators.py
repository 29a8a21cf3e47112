"""Tests for perfeval.indicators: parsing 年度指标值 / 实际完成值 cells."""

from __future__ import annotations

import datetime
import doctest
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import perfeval.indicators as indicators_module
from perfeval.indicators import (
    NONE_MARKERS,
    Comparator,
    ParsedValue,
    ValueKind,
    format_value,
    parse_value,
)

D = Decimal


def _fullwidth(text: str) -> str:
    """ASCII → full-width (what a Chinese IME produces), space → ideographic space."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


# --------------------------------------------------------------------------- quantitative


@pytest.mark.parametrize(
    ("raw", "comparator", "number", "unit"),
    [
        ("≥90%", Comparator.GE, D("90"), "%"),
        (">=90%", Comparator.GE, D("90"), "%"),
        ("＞90%", Comparator.GT, D("90"), "%"),
        (">90%", Comparator.GT, D("90"), "%"),
        ("不低于90%", Comparator.GE, D("90"), "%"),
        ("不少于3个", Comparator.GE, D("3"), "个"),
        ("大于等于85%", Comparator.GE, D("85"), "%"),
        ("≤5万元", Comparator.LE, D("5"), "万元"),
        ("<=5万元", Comparator.LE, D("5"), "万元"),
        ("＜10天", Comparator.LT, D("10"), "天"),
        ("不高于5万元", Comparator.LE, D("5"), "万元"),
        ("不超过30天", Comparator.LE, D("30"), "天"),
        ("=100%", Comparator.EQ, D("100"), "%"),
        ("＝100%", Comparator.EQ, D("100"), "%"),
        ("100%", None, D("100"), "%"),
        ("2次", None, D("2"), "次"),
        ("4次", None, D("4"), "次"),
        ("95%", None, D("95"), "%"),
        ("12期", None, D("12"), "期"),
        ("96.18公里", None, D("96.18"), "公里"),
        ("35020户", None, D("35020"), "户"),
        ("1,000次", None, D("1000"), "次"),
        ("1，000次", None, D("1000"), "次"),
        ("12,345.5万元", None, D("12345.5"), "万元"),
        ("９５％", None, D("95"), "%"),
        ("≥９０％", Comparator.GE, D("90"), "%"),
        ("≧90%", Comparator.GE, D("90"), "%"),
        (" ≥ 90 % ", Comparator.GE, D("90"), "%"),
        ("\u3000≥\u300090\u3000%", Comparator.GE, D("90"), "%"),
        ("95%以上", Comparator.GE, D("95"), "%"),
        ("3天以内", Comparator.LE, D("3"), "天"),
        ("5万元及以下", Comparator.LE, D("5"), "万元"),
        ("低于5%", Comparator.LT, D("5"), "%"),
        ("达到95%", Comparator.GE, D("95"), "%"),
        ("-5%", None, D("-5"), "%"),
        ("0.5", None, D("0.5"), ""),
        ("21万立方米/日", None, D("21"), "万立方米/日"),
    ],
)
def test_quantitative(raw: str, comparator: Comparator | None, number: Decimal, unit: str) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.QUANTITATIVE
    assert pv.comparator is comparator
    assert pv.number == number
    assert pv.unit == unit
    assert pv.raw == raw
    assert pv.text == ""
    assert pv.deadline is None


def test_number_kept_as_written() -> None:
    pv = parse_value("95.0%")
    assert str(pv.number) == "95.0"
    assert format_value(pv) == "95.0%"


@pytest.mark.parametrize(
    ("raw", "number", "raw_text"),
    [
        (0.95, D("0.95"), "0.95"),
        (1.0, D("1.0"), "1.0"),
        (95, D("95"), "95"),
        (D("0.955"), D("0.955"), "0.955"),
        (0.1 + 0.2, D("0.30000000000000004"), "0.30000000000000004"),
    ],
)
def test_numeric_cells_taken_as_is(raw: float | int | Decimal, number: Decimal, raw_text: str) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.QUANTITATIVE
    assert pv.number == number
    assert str(pv.number) == str(number)  # no binary float expansion
    assert pv.unit == ""
    assert pv.comparator is None
    assert pv.raw == raw_text


def test_non_finite_and_bool() -> None:
    assert parse_value(float("nan")).kind is ValueKind.EMPTY
    assert parse_value(D("NaN")).kind is ValueKind.EMPTY
    assert parse_value(float("inf")).kind is ValueKind.QUALITATIVE
    with pytest.raises(TypeError):
        parse_value(True)
    with pytest.raises(TypeError):
        parse_value([1])  # type: ignore[arg-type]


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("raw", "date", "comparator", "text"),
    [
        ("2023年12月31日前", datetime.date(2023, 12, 31), Comparator.LE, ""),
        ("2023年12月底前", datetime.date(2023, 12, 31), Comparator.LE, ""),
        ("2023年11月底前", datetime.date(2023, 11, 30), Comparator.LE, ""),
        ("2024年2月底前", datetime.date(2024, 2, 29), Comparator.LE, ""),
        ("2023年底前", datetime.date(2023, 12, 31), Comparator.LE, ""),
        ("2023年12月31日之前完成", datetime.date(2023, 12, 31), Comparator.LE, "完成"),
        ("于2023年6月30日前完成", datetime.date(2023, 6, 30), Comparator.LE, "完成"),
        ("２０２３年１２月３１日前", datetime.date(2023, 12, 31), Comparator.LE, ""),
        ("2023 年 12 月 31 日前", datetime.date(2023, 12, 31), Comparator.LE, ""),
        ("2023-12-20", datetime.date(2023, 12, 20), None, ""),
        ("2023/12/20", datetime.date(2023, 12, 20), None, ""),
        ("2023年12月20日", datetime.date(2023, 12, 20), None, ""),
        ("≤2023年12月31日", datetime.date(2023, 12, 31), Comparator.LE, ""),
    ],
)
def test_deadline(raw: str, date: datetime.date, comparator: Comparator | None, text: str) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.DEADLINE
    assert pv.deadline == date
    assert pv.comparator is comparator
    assert pv.text == text
    assert pv.number is None


def test_deadline_from_date_cells() -> None:
    assert parse_value(datetime.date(2023, 12, 20)).deadline == datetime.date(2023, 12, 20)
    pv = parse_value(datetime.datetime(2023, 12, 20, 9, 30))
    assert pv.kind is ValueKind.DEADLINE
    assert pv.deadline == datetime.date(2023, 12, 20)


@pytest.mark.parametrize("raw", ["2023年2月30日前", "2023年13月1日前", "2023年3月9-10日"])
def test_impossible_or_ranged_dates_are_text(raw: str) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.QUALITATIVE
    assert pv.deadline is None
    assert pv.text == raw


# --------------------------------------------------------------------------- qualitative / empty


@pytest.mark.parametrize(
    ("raw", "comparator", "text"),
    [
        ("在规定时间内完成", None, "在规定时间内完成"),
        ("≤财政预算指标控制数", Comparator.LE, "财政预算指标控制数"),
        ("不高于财政预算指标控制数", Comparator.LE, "财政预算指标控制数"),
        ("实际控制在预算指标内", None, "实际控制在预算指标内"),
        ("效果明显", None, "效果明显"),
        ("  效果明显  ", None, "效果明显"),
        ("及时调解，妥善化解纠纷", None, "及时调解，妥善化解纠纷"),
        ("高于全省平均水平", None, "高于全省平均水平"),  # word comparator without a number stays text
        ("完成2次检查", None, "完成2次检查"),
        ("90%-95%", None, "90%-95%"),
    ],
)
def test_qualitative(raw: str, comparator: Comparator | None, text: str) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.QUALITATIVE
    assert pv.comparator is comparator
    assert pv.text == text
    assert pv.number is None
    assert not pv.is_none_marker


@pytest.mark.parametrize("raw", ["无", "—", "-", "/", " 无 ", "－", "／", "——", "不适用"])
def test_none_markers(raw: str) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.QUALITATIVE
    assert pv.is_none_marker
    assert pv.is_absent


@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000", "\n\t"])
def test_empty(raw: str | None) -> None:
    pv = parse_value(raw)
    assert pv.kind is ValueKind.EMPTY
    assert not pv.is_none_marker
    assert pv.is_absent


def test_words_containing_a_marker_are_not_markers() -> None:
    assert not parse_value("无投诉").is_none_marker
    assert not parse_value("≤无").is_none_marker  # has a comparator
    assert "无" in NONE_MARKERS


def test_parsed_value_is_frozen() -> None:
    pv = parse_value("≥90%")
    with pytest.raises(ValueError, match="frozen"):
        pv.number = D(1)  # type: ignore[misc]


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("raw", "display"),
    [
        ("≥90%", "≥90%"),
        (">=90%", "≥90%"),
        ("不低于90%", "≥90%"),
        ("＞９０％", ">90%"),
        ("1,000次", "1000次"),
        ("95%以上", "≥95%"),
        ("2023年12月底前", "2023年12月31日前"),
        ("2023-12-20", "2023年12月20日"),
        ("于2023年6月30日前完成", "2023年6月30日前完成"),
        ("≤财政预算指标控制数", "≤财政预算指标控制数"),
        ("效果明显", "效果明显"),
        ("无", "无"),
        (None, ""),
        (0.95, "0.95"),
        ("< =x", "< =x"),  # not "<=x", which would read as ≤
    ],
)
def test_format_value(raw: str | float | None, display: str) -> None:
    assert format_value(parse_value(raw)) == display


def _without_raw(pv: ParsedValue) -> dict[str, object]:
    return pv.model_dump(exclude={"raw"})


@given(st.text(max_size=40))
@example("< =abc")
@example("= <abc")
@example("≤2023年12月31日之")
@example("<2023年12月31日前前")
@example("5个以上以上")
@example("大于 5 x")
def test_format_parse_round_trip_any_text(raw: str) -> None:
    first = parse_value(raw)
    again = parse_value(format_value(first))
    assert _without_raw(again) == _without_raw(first)
    assert format_value(again) == format_value(first)


_COMPARATOR_WORDS = st.sampled_from(
    ["", "≥", ">=", "＞", ">", "≤", "<=", "<", "=", "不低于", "不高于", "不超过", "大于", "低于"]
)
_UNITS = st.sampled_from(["", "%", "次", "万元", "个", "户", "公里", "天", "人次"])


@given(
    _COMPARATOR_WORDS,
    st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False),
    _UNITS,
    st.booleans(),
)
def test_structured_quantities(word: str, number: Decimal, unit: str, fullwidth: bool) -> None:
    raw = f"{word}{format(number, 'f')}{unit}"
    if fullwidth:
        raw = _fullwidth(raw)
    pv = parse_value(raw)
    assert pv.kind is ValueKind.QUANTITATIVE
    assert pv.number == number
    assert pv.unit == unit
    assert (pv.comparator is None) == (word == "")
    again = parse_value(format_value(pv))
    assert _without_raw(again) == _without_raw(pv)


@given(
    st.one_of(
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.decimals(allow_nan=False, allow_infinity=False),
    )
)
def test_numbers_round_trip(value: int | float | Decimal) -> None:
    pv = parse_value(value)
    assert pv.kind is ValueKind.QUANTITATIVE
    assert pv.number == (Decimal(repr(value)) if isinstance(value, float) else Decimal(value))
    assert _without_raw(parse_value(format_value(pv))) == _without_raw(pv)


@given(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2999, 12, 31)), st.booleans())
def test_dates_round_trip(date: datetime.date, before: bool) -> None:
    raw = f"{date.year}年{date.month}月{date.day}日{'前' if before else ''}"
    pv = parse_value(raw)
    assert pv.deadline == date
    assert pv.comparator is (Comparator.LE if before else None)
    assert format_value(pv) == raw


def test_doctests() -> None:
    result = doctest.testmod(indicators_module)
    assert result.attempted > 0
    assert result.failed == 0
