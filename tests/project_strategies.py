"""Hypothesis strategies for arbitrary (not necessarily consistent) project books, as a workbook can hold them.

指标性质 / 度量单位 are left blank: the printed form shows them only inside 年度指标值, so a workbook gives back
what :func:`perfeval.forms.project.model.fill_indicator_fields` fills in (the round trips compare with that).
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from perfeval.forms.project.model import FundsPart, ProjectBook, ProjectTable
from perfeval.model import FundsRow, Level1, Level2, Level3

CJK = "项目支出绩效评价经费专项污水燃气规划造价招投标管理服务效果明显完成率数量质量时效成本鹤城中"
_ALPHABET = st.sampled_from(list(CJK + "abcXYZ0123456789（）()、，。《》%≥≤-—/'[]:*? "))


def text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET, min_size=min_size, max_size=max_size).map(str.strip).filter(
        lambda s: len(s) >= min_size
    )


names = text(1, 16).filter(lambda s: not s.startswith(("(", "（")))
amounts = st.one_of(st.none(), st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False,
                                           allow_infinity=False))
stated = st.one_of(st.none(), st.just("—"),
                   st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False, allow_infinity=False))
stated_rates = st.one_of(st.none(), st.just("—"),
                         st.decimals(min_value=0, max_value=3, places=4, allow_nan=False, allow_infinity=False))
indicator_texts = st.one_of(
    st.sampled_from(["≥90%", "2次", "100%", "2023年12月31日前", "效果明显", "≤财政预算指标控制数", "无", "=100%",
                     "≤80.00万元", "部分达成预期指标并具有一定效果", ""]),
    text(0, 12),
)
level3 = st.builds(
    Level3, name=text(0, 16), target=indicator_texts, actual=indicator_texts,
    weight=st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=1)),
    score=st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=2)),
    deviation=text(0, 30),
)
level2 = st.builds(Level2, name=names, rows=st.lists(level3, min_size=1, max_size=3))
level1 = st.builds(
    Level1, name=names.filter(lambda s: "分" not in s),
    weight=st.one_of(st.none(), st.integers(min_value=0, max_value=60).map(Decimal)),
    secondaries=st.lists(level2, min_size=1, max_size=2),
)
parts = st.builds(FundsPart, initial_budget=amounts, full_year_budget=amounts, executed=amounts,
                  execution_rate_stated=stated_rates)
tables = st.builds(
    ProjectTable,
    name=st.one_of(st.just(""), names), department=text(0, 12), implementer=text(0, 12),
    funds=st.builds(FundsRow, initial_budget=amounts, full_year_budget=amounts, executed=amounts,
                    weight=st.one_of(st.none(), st.just(Decimal(10))), execution_rate_stated=stated_rates,
                    score_stated=stated),
    funds_current=parts, funds_carryover=parts, funds_other=parts,
    goal_expected=text(0, 120), goal_actual=st.one_of(text(0, 120), st.just("长" * 2500)),
    indicators=st.lists(level1, min_size=0, max_size=3),
    total_weight_stated=stated, total_score_stated=stated,
)
books = st.builds(ProjectBook, year=st.integers(min_value=2000, max_value=2100),
                  projects=st.lists(tables, min_size=1, max_size=3))
