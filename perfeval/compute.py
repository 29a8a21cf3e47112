"""Derived quantities (rules.md §1 F1–F16) and scores (§2) computed by the engine.

:func:`compute` returns a flat mapping from calc key to value. For a derived cell of an official sheet the
key is the model path of its *stated* counterpart (see :mod:`perfeval.layout`), so stated and computed
values pair up by key; ``calc.*`` keys are the figures of the 计算结果 sheet. A rate whose denominator is 0
or missing is ``None`` ("not applicable", shown "—"), never 0 or 100%.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.layout import Layout, Role
from perfeval.model import Amounts, Report
from perfeval.numbers import money_sum, rate
from perfeval.paths import set_path
from perfeval.profiles import profile_label
from perfeval.scoring import (
    capped_total,
    execution_factor,
    grade,
    quantize_score,
    renormalised_total,
    score_indicator,
)

Value = Decimal | str | None
Computed = dict[str, Value]
COLUMNS = ("prev_actual", "budget", "actual")


def _sum(*values: Decimal | None) -> Decimal:
    """Blank counts as 0, like the native SUM of the template; each amount as printed (rounded to 0.01 first,
    rules.md §4), so a hidden third decimal is reported at its own cell (RD-004), not in the total."""
    return money_sum(values)


def _sum_rows(rows: list[Amounts], col: str) -> Decimal:
    return _sum(*(getattr(r, col) for r in rows))


def execution_rate(executed: Decimal | None, budget: Decimal | None) -> Decimal | None:
    """F7 执行率 = 全年执行数 / 全年预算数."""
    return rate(executed, budget)


def execution_score(executed: Decimal | None, budget: Decimal | None, weight: Decimal | None,
                    config: Config = DEFAULT_CONFIG) -> Decimal | None:
    """F7s 得分 = 分值 × min(执行率, cap) [I] (× 执行率 when the profile leaves it uncapped)."""
    r = execution_rate(executed, budget)
    if r is None or weight is None:
        return None
    return quantize_score(weight * execution_factor(r, config))


def change_rate(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """F2/F8 变动率 = (current − previous) / previous."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous


def compute_with_formulas(report: Report, layout: Layout, config: Config = DEFAULT_CONFIG) -> Computed:
    """What the workbook shows once 计算 has put every derived cell's formula back: the report with
    its stated (typed-over) values dropped, computed. Used by ``perfeval compute`` and the 计算 button."""
    restored = report.model_copy(deep=True)
    for cell in layout.cells():
        if cell.role == Role.DERIVED and cell.path:
            set_path(restored, cell.path, None)
    return compute(restored, config)


def compute(report: Report, config: Config = DEFAULT_CONFIG) -> Computed:
    bd = report.basic
    zp = report.self_eval
    out: Computed = {}

    # 附件1-1
    out["basic.staff_control_rate_stated"] = rate(bd.staff_actual, bd.staff_authorized)  # F1
    for col in COLUMNS:
        vehicle = _sum_rows([bd.vehicle_purchase, bd.vehicle_operation], col)  # F16
        out[f"basic.vehicle_stated.{col}"] = vehicle
        out[f"basic.three_public_stated.{col}"] = _sum(vehicle, getattr(bd.overseas, col),
                                                       getattr(bd.reception, col))
        out[f"basic.projects_stated.{col}"] = _sum_rows([p.amounts for p in bd.projects], col)
    b = bd.building
    out["basic.building.area_control_stated"] = rate(b.actual_area, b.approved_area)  # F14
    out["basic.building.investment_control_stated"] = rate(b.actual_investment, b.budget_investment)  # F15

    # 附件1-2
    f = zp.funds
    out["self_eval.funds.execution_rate_stated"] = execution_rate(f.executed, f.full_year_budget)
    funds_score = execution_score(f.executed, f.full_year_budget, f.weight, config)
    out["self_eval.funds.score_stated"] = funds_score
    out["self_eval.income_total_stated"] = _sum(zp.income_general_public, zp.income_gov_fund,
                                                zp.income_special_non_tax, zp.income_other)
    out["self_eval.expenditure_total_stated"] = _sum(zp.expenditure_basic, zp.expenditure_project)
    rows = zp.rows()
    weights = [r.weight for *_, r in rows]
    scores = [r.score for *_, r in rows]
    total_weight = sum((w for w in weights if w is not None), Decimal(0)) + (f.weight or 0)
    total_score = sum((s for s in scores if s is not None), Decimal(0)) + (funds_score or 0)
    out["self_eval.total_weight_stated"] = quantize_score(total_weight)
    out["self_eval.total_score_stated"] = quantize_score(total_score)

    # 计算结果
    staff_over = None
    if bd.staff_actual is not None and bd.staff_authorized is not None:
        staff_over = Decimal(bd.staff_actual - bd.staff_authorized)
    out["calc.staff_over"] = staff_over
    tp_budget = out["basic.three_public_stated.budget"]
    tp_actual = out["basic.three_public_stated.actual"]
    tp_prev = out["basic.three_public_stated.prev_actual"]
    assert isinstance(tp_budget, Decimal) and isinstance(tp_actual, Decimal) and isinstance(tp_prev, Decimal)
    out["calc.three_public_control"] = rate(tp_actual, tp_budget)  # F3
    out["calc.three_public_change"] = change_rate(tp_actual, tp_prev)  # F2 决算口径
    out["calc.public_funds_control"] = rate(bd.public_funds.actual, bd.public_funds.budget)  # F4
    out["calc.procurement_rate"] = rate(bd.procurement.actual, bd.procurement.budget)  # F5
    out["calc.basic_adjustment_rate"] = change_rate(bd.basic_adjustment.actual, bd.basic_adjustment.budget)
    out["calc.budget_adjustment_rate"] = change_rate(f.full_year_budget, f.initial_budget)  # F8h
    out["calc.total_score"] = out["self_eval.total_score_stated"]
    out["calc.grade"] = grade(quantize_score(total_score), config)
    capped = capped_total(quantize_score(total_score), execution_rate(f.executed, f.full_year_budget), config)
    out["calc.capped_total"] = capped  # None unless the profile caps the 总分 by execution rate (wave2 §2)
    out["calc.capped_grade"] = None if capped is None else grade(capped, config)
    out["calc.renormalised_total"] = renormalised_total(
        list(zip(scores, weights, strict=True)), (funds_score, f.weight)
    )
    out["calc.profile"] = profile_label(config)
    for i1, i2, i3, _l1, _l2, row in rows:
        key = f"calc.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
        result = score_indicator(row.name, row.target, row.actual, row.weight, config)
        out[f"{key}.suggested"] = result.suggested_score
        out[f"{key}.direction"] = str(result.direction)
        out[f"{key}.explanation"] = result.explanation
    return out
