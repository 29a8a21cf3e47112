"""Department pack: derived quantities of 附件1-1 / 附件1-2 (rules.md §1 F1–F16) and scores (§2).

See :mod:`perfeval.compute` for the conventions of the returned mapping.
"""

from __future__ import annotations

from decimal import Decimal

from perfeval.compute import Computed, change_rate, compute_table
from perfeval.config import DEFAULT_CONFIG, Config, profile_label
from perfeval.forms.department.model import Amounts, Report
from perfeval.numbers import money_sum, rate
from perfeval.scoring import grade

COLUMNS = ("prev_actual", "budget", "actual")


def _sum(*values: Decimal | None) -> Decimal:
    """Blank counts as 0, like the native SUM of the template; each amount as printed (rounded to 0.01 first,
    rules.md §4), so a hidden third decimal is reported at its own cell (RD-004), not in the total."""
    return money_sum(values)


def _sum_rows(rows: list[Amounts], col: str) -> Decimal:
    return _sum(*(getattr(r, col) for r in rows))


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
    totals = compute_table(out, "self_eval", zp, config, calc_prefix="calc")
    out["self_eval.income_total_stated"] = _sum(zp.income_general_public, zp.income_gov_fund,
                                                zp.income_special_non_tax, zp.income_other)
    out["self_eval.expenditure_total_stated"] = _sum(zp.expenditure_basic, zp.expenditure_project)

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
    out["calc.total_score"] = totals.total_score
    out["calc.grade"] = grade(totals.total_score, config)
    out["calc.renormalised_total"] = totals.renormalised
    out["calc.capped_total"] = totals.capped  # None unless the profile caps the 总分 by execution rate (wave2 §2)
    out["calc.capped_grade"] = None if totals.capped is None else grade(totals.capped, config)
    out["calc.profile"] = profile_label(config)
    return out


def summary_lines(report: Report, computed: Computed, config: Config = DEFAULT_CONFIG) -> list[tuple[str, str]]:
    """The 计算结果 items as ``perfeval demo`` prints them: (label, value as displayed)."""
    from perfeval.compare import display
    from perfeval.forms.department.layout import CALC_ITEMS, CALC_VTYPES
    from perfeval.layout import VType

    lines = [(label, display(computed.get(key), CALC_VTYPES.get(key, VType.RATE), config))
             for key, label, _desc in CALC_ITEMS]
    if config.total_caps:  # the profile caps the 总分 by execution rate
        lines += [("按执行率封顶后的总分", display(computed.get("calc.capped_total"), VType.SCORE, config)),
                  ("封顶后的等级", display(computed.get("calc.capped_grade"), VType.TEXT, config))]
    return lines
