"""Every derived quantity of rules.md §1–§2 on the seed's numbers."""

from __future__ import annotations

from decimal import Decimal

from perfeval.compute import execution_score
from perfeval.config import Config
from perfeval.forms.department.compute import compute
from perfeval.forms.department.model import Report
from perfeval.numbers import rate_display

D = Decimal


def pct(value: object) -> Decimal:
    assert isinstance(value, Decimal)
    return rate_display(value) * 100  # type: ignore[operator]


def test_seed_derived_quantities(seed: Report) -> None:
    c = compute(seed)
    assert pct(c["basic.staff_control_rate_stated"]) == D("105.26")  # F1: 40/38, stated 95%
    assert seed.basic.staff_control_rate_stated == D("0.95")
    assert [c[f"basic.projects_stated.{k}"] for k in ("prev_actual", "budget", "actual")] == [
        D("63.88"), D("120.00"), D("297.87")]
    assert [c[f"basic.three_public_stated.{k}"] for k in ("prev_actual", "budget", "actual")] == [
        D("0.11"), D("1.00"), D("0.00")]
    assert c["basic.vehicle_stated.budget"] == D("0.00")
    assert pct(c["self_eval.funds.execution_rate_stated"]) == D("100.00")  # F7
    assert c["self_eval.funds.score_stated"] == D("10.00")  # F7s
    assert c["self_eval.income_total_stated"] == D("781.06")
    assert c["self_eval.expenditure_total_stated"] == D("781.06")
    assert c["self_eval.total_weight_stated"] == D("100")
    assert c["self_eval.total_score_stated"] == D("98")
    assert c["calc.grade"] == "优"
    assert pct(c["calc.three_public_control"]) == D("0.00")  # F3
    assert pct(c["calc.three_public_change"]) == D("-100.00")  # F2 决算口径
    assert pct(c["calc.public_funds_control"]) == D("52.44")  # F4
    assert pct(c["calc.procurement_rate"]) == D("100.00")  # F5
    assert pct(c["calc.basic_adjustment_rate"]) == D("7.71")  # F8 基本支出
    assert pct(c["calc.budget_adjustment_rate"]) == D("37.36")  # F8h
    assert c["calc.staff_over"] == D(2)
    assert c["calc.renormalised_total"] == D("98.00")


def test_zero_denominators_are_not_applicable(seed: Report) -> None:
    c = compute(seed)
    # 楼堂馆所 0/0: the seed prints 0 and 100%; the engine says "not applicable"
    assert c["basic.building.area_control_stated"] is None
    assert c["basic.building.investment_control_stated"] is None
    r = seed.model_copy(deep=True)
    r.basic.staff_authorized = 0
    r.self_eval.funds.full_year_budget = D("0")
    c = compute(r)
    assert c["basic.staff_control_rate_stated"] is None
    assert c["self_eval.funds.execution_rate_stated"] is None
    assert c["self_eval.funds.score_stated"] is None


def test_execution_score_is_capped_and_configurable() -> None:
    assert execution_score(D("90"), D("100"), D("10")) == D("9.00")
    assert execution_score(D("120"), D("100"), D("10")) == D("10.00")
    assert execution_score(D("120"), D("100"), D("10"), Config(execution_score_cap=D("1.1"))) == D("11.00")


def test_indicator_suggestions_on_seed(seed: Report) -> None:
    c = compute(seed)
    key = "calc.indicators[0].secondaries[0].rows[0]"  # 重点工作完成数 2次 → 4次
    assert c[f"{key}.suggested"] == D("20.00")
    assert c[f"{key}.direction"] == "正向"
    key = "calc.indicators[2].secondaries[0].rows[0]"  # 社会公众满意度 ≥90% → 95%
    assert c[f"{key}.suggested"] == D("10.00")
    key = "calc.indicators[1].secondaries[1].rows[0]"  # 社会效益: qualitative
    assert c[f"{key}.suggested"] is None and c[f"{key}.direction"] == "定性"


def test_renormalised_total_when_a_row_is_not_applicable(seed: Report) -> None:
    r = seed.model_copy(deep=True)
    rows = [row for *_, row in r.self_eval.rows()]
    rows[0].weight, rows[0].score = None, None  # 20-pt 重点工作 row not applicable
    rows[0].name = rows[0].target = "无"
    rows[0].actual = ""
    c = compute(r)
    # applicable 得分 68 + 执行率 10 = 78 over 分值 70 + 10 = 80 → 97.50 (§2.4 百分制折算)
    assert c["calc.renormalised_total"] == D("97.50")
