"""Hypothesis strategies for arbitrary (not necessarily consistent) reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from perfeval.forms.department.model import Amounts, BasicData, Building, Project, Report, SelfEvaluation, StatedAmounts
from perfeval.model import FundsRow, Level1, Level2, Level3

CJK = "部门整体支出绩效评价项目经费公用专项污水燃气造价招投标管理服务效果明显完成率数量质量时效成本"
_ALPHABET = st.sampled_from(list(CJK + "abcXYZ0123456789（）()、，。《》%≥≤-—/ "))

amounts = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
)
counts = st.one_of(st.none(), st.integers(min_value=0, max_value=500))


def text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    return st.text(_ALPHABET, min_size=min_size, max_size=max_size).map(str.strip).filter(
        lambda s: len(s) >= min_size
    )


names = text(1, 20).filter(lambda s: not s.startswith(("(", "（")))
stated = st.one_of(
    st.none(),
    st.just("—"),
    st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False, allow_infinity=False),
)
stated_rates = st.one_of(
    st.none(),
    st.just("—"),
    st.decimals(min_value=0, max_value=3, places=4, allow_nan=False, allow_infinity=False),
)
amount_rows = st.builds(Amounts, prev_actual=amounts, budget=amounts, actual=amounts)
stated_rows = st.builds(StatedAmounts, prev_actual=stated, budget=stated, actual=stated)
indicator_texts = st.one_of(
    st.sampled_from(["≥90%", "2次", "100%", "2023年12月31日前", "效果明显", "≤财政预算指标控制数", "无", "=100%", ""]),
    text(0, 12),
)
level3 = st.builds(
    Level3, name=text(0, 20), target=indicator_texts, actual=indicator_texts,
    weight=st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=1)),
    score=st.one_of(st.none(), st.decimals(min_value=0, max_value=50, places=2)),
    deviation=text(0, 40),
)
level2 = st.builds(Level2, name=names, rows=st.lists(level3, min_size=1, max_size=3))
level1 = st.builds(
    Level1, name=names.filter(lambda s: "分" not in s),
    weight=st.one_of(st.none(), st.integers(min_value=0, max_value=60).map(Decimal)),
    secondaries=st.lists(level2, min_size=1, max_size=3),
)
projects = st.builds(Project, name=names, amounts=amount_rows)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    year = draw(st.integers(min_value=2015, max_value=2035))
    basic = BasicData(
        unit_name=draw(text(0, 20)),
        staff_authorized=draw(counts), staff_actual=draw(counts), staff_control_rate_stated=draw(stated_rates),
        three_public_stated=draw(stated_rows), vehicle_stated=draw(stated_rows),
        vehicle_purchase=draw(amount_rows), vehicle_operation=draw(amount_rows), overseas=draw(amount_rows),
        reception=draw(amount_rows), projects_stated=draw(stated_rows),
        projects=draw(st.lists(projects, max_size=6)),
        public_funds=draw(amount_rows), office=draw(amount_rows), utilities_travel=draw(amount_rows),
        meetings_training=draw(amount_rows), procurement=draw(amount_rows), basic_adjustment=draw(amount_rows),
        building=Building(approved_area=draw(amounts), actual_area=draw(amounts),
                          area_control_stated=draw(stated_rates), budget_investment=draw(amounts),
                          actual_investment=draw(amounts), investment_control_stated=draw(stated_rates)),
        frugality_measures=draw(text(0, 200)), filler=draw(text(0, 8)),
        fill_date=draw(st.one_of(st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2036, 12, 31)))),
        phone=draw(st.one_of(st.just(""), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))),
    )
    zp = SelfEvaluation(
        unit_name=draw(text(0, 20)),
        funds=FundsRow(initial_budget=draw(amounts), full_year_budget=draw(amounts), executed=draw(amounts),
                       weight=draw(st.one_of(st.none(), st.just(Decimal(10)))),
                       execution_rate_stated=draw(stated_rates), score_stated=draw(stated)),
        income_total_stated=draw(stated), income_general_public=draw(amounts), income_gov_fund=draw(amounts),
        income_special_non_tax=draw(amounts), income_other=draw(amounts),
        expenditure_total_stated=draw(stated), expenditure_basic=draw(amounts),
        expenditure_project=draw(amounts),
        goal_expected=draw(text(0, 300)), goal_actual=draw(st.one_of(text(0, 300), st.just("长" * 2500))),
        indicators=draw(st.lists(level1, min_size=1, max_size=3)),
        total_weight_stated=draw(stated), total_score_stated=draw(stated),
    )
    return Report(year=year, basic=basic, self_eval=zp)
