"""Number extraction from report sentences (perfeval.report.numbers): every form the reports use, and the
look-alikes that must not be read as numbers of a unit."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from perfeval.report.numbers import AMOUNT, COUNT, DATE, PERCENT, PLAIN, POINTS, SCORE, YEAR, after_keyword, extract
from perfeval.report.text import ReportDocument, Sentence, width_normalised


def numbers(text: str) -> list[tuple[str, D, str]]:
    return [(m.kind, m.value, m.unit) for m in extract(Sentence(text, 0, 0))]


@pytest.mark.parametrize(("text", "expected"), [
    ("年初预算数 568.61 万元", [(AMOUNT, D("568.61"), "万元")]),
    ("年初预算数５６８．６１万元", [(AMOUNT, D("568.61"), "万元")]),  # full-width digits and point
    ("支出3000元", [(AMOUNT, D("0.3"), "万元")]),  # 3000 元 = 0.3 万元
    ("投资1.2亿元", [(AMOUNT, D("12000"), "万元")]),  # 1.2 亿元 = 12000 万元
    ("合计1,234.50万元", [(AMOUNT, D("1234.50"), "万元")]),
    ("满意度95%", [(PERCENT, D("95"), "%")]),
    ("满意度９５％", [(PERCENT, D("95"), "%")]),
    ("满意度百分之九十五", [(PERCENT, D("95"), "%")]),
    ("满意度百分之95", [(PERCENT, D("95"), "%")]),
    ("提高3个百分点", [(POINTS, D("3"), "个百分点")]),
    ("在职四十人", [(COUNT, D("40"), "人")]),
    ("开展两次", [(COUNT, D("2"), "次")]),
    ("项目十二个", [(COUNT, D("12"), "个")]),
    ("实际得分98分", [(SCORE, D("98"), "分")]),
    ("举办于2023年", [(YEAR, D("2023"), "年")]),
    ("于2022年3月9-10日", [(DATE, D("2022"), "年")]),
    ("计划2024年1月底完成", [(DATE, D("2024"), "年")]),
])
def test_number_forms(text: str, expected: list[tuple[str, D, str]]) -> None:
    assert numbers(text) == expected


def test_ranges_and_approximations() -> None:
    (m,) = extract(Sentence("约125公里", 0, 0))
    assert (m.kind, m.value, m.approx) == (COUNT, D("125"), True)
    (m,) = extract(Sentence("120余名", 0, 0))
    assert (m.value, m.unit, m.approx) == (D("120"), "名", True)
    (m,) = extract(Sentence("20-30万元", 0, 0))
    assert (m.kind, m.value, m.high) == (AMOUNT, D("20"), D("30"))
    (m,) = extract(Sentence("20至30人", 0, 0))
    assert (m.kind, m.value, m.high) == (COUNT, D("20"), D("30"))
    (m,) = extract(Sentence("5万多份", 0, 0))
    assert (m.value, m.approx) == (D("50000"), True)


@pytest.mark.parametrize("text", ["一岗双责", "三会一课", "一是贯彻落实", "一次性生活补助", "一项目一考评",
                                  "一月一调度", "“三员”", "六化"])
def test_look_alikes_are_not_numbers(text: str) -> None:
    assert [k for k, _, _ in numbers(text) if k != PLAIN] == []


def test_ten_thousand_households_are_not_an_amount() -> None:
    assert numbers("完成41.66万户燃气入户安检") == [(COUNT, D("416600"), "万")]


def test_a_percentage_binds_to_its_keyword_not_to_look_alikes() -> None:
    s = Sentence("占地30%，占用5%，占比40%", 0, 0)
    bound = after_keyword(s, ("占比", "占"), (PERCENT,), lookalikes=("占地", "占用"))
    assert [(b.keyword, b.mention.value) for b in bound] == [("占比", D("40"))]


def test_the_first_number_within_the_window_and_the_clause() -> None:
    s = Sentence("压减公用经费和专项支出后，同口径对比，收入较上年增加167.68万元", 0, 0)
    stop = ("，", "、", "。")
    assert after_keyword(s, ("公用经费",), stop=stop) == []  # 167.68 is in another clause
    (b,) = after_keyword(s, ("较上年增加",), stop=stop)
    assert b.mention.value == D("167.68")
    far = Sentence("年初预算数" + "的" * 31 + "5万元", 0, 0)
    assert after_keyword(far, ("年初预算数",)) == []  # beyond 30 characters


def test_mentions_keep_their_place() -> None:
    doc = ReportDocument.from_blocks(["一、部门基本情况", "（二）人员编制情况",
                                      "在职在册人员为40人，离退休14人。第二句5万元。"])
    sentences = list(doc.sentences())
    assert [s.text for s in sentences][-2:] == ["在职在册人员为40人，离退休14人。", "第二句5万元。"]
    s = sentences[-1]
    (m,) = extract(s)
    # the first sentence has 18 characters, then 第二句: 5万元 at 21…24
    assert (m.paragraph, s.heading, m.paragraph_span) == (2, "（二）人员编制情况", (21, 24))
    assert doc.paragraphs[2].text[m.paragraph_span[0]:m.paragraph_span[1]] == "5万元"


def test_width_normalising_keeps_offsets() -> None:
    text = "（业务）经费５６８．６１万元　％"
    assert len(width_normalised(text)) == len(text)
    assert width_normalised(text) == "(业务)经费568.61万元 %"
