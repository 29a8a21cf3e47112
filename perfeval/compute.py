"""Derived quantities: the conventions every form pack's ``compute`` follows, and the formulas they share.

A pack's :meth:`~perfeval.forms.base.FormPack.compute` returns a flat mapping from calc key to value. For a
derived cell of an official sheet the key is the model path of its *stated* counterpart (see
:mod:`perfeval.layout`), so stated and computed values pair up by key; ``calc.*`` keys are the figures of the
计算结果 sheet. A rate whose denominator is 0 or missing is ``None`` ("not applicable", shown "—"), never 0 or 100%.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.layout import Layout, Role
from perfeval.model import IndicatorTable
from perfeval.numbers import rate
from perfeval.paths import set_path
from perfeval.scoring import capped_total, execution_factor, quantize_score, renormalised_total, score_row

Value = Decimal | str | None
Computed = dict[str, Value]


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


@dataclass(frozen=True)
class TableTotals:
    """What :func:`compute_table` found, for a form's 计算结果 items."""

    funds_score: Decimal | None
    total_weight: Decimal
    total_score: Decimal
    renormalised: Decimal | None
    capped: Decimal | None  # the 总分 under the profile's caps by execution rate; None without caps


def compute_table(out: Computed, prefix: str, table: IndicatorTable, config: Config, calc_prefix: str) -> TableTotals:
    """The derived cells every 自评表 has, into ``out``: 年度资金总额 执行率 and 得分 (F7, F7s), 总分 分值 and 得分
    (``{prefix}.…`` keys), and each 三级 row's suggested score, 计分方式 and explanation, and the name, 分值
    and 得分 its mirror formulas show (``{calc_prefix}.indicators[i1].secondaries[i2].rows[i3].…`` keys of
    计算结果)."""
    f = table.funds
    out[f"{prefix}.funds.execution_rate_stated"] = execution_rate(f.executed, f.full_year_budget)
    funds_score = execution_score(f.executed, f.full_year_budget, f.weight, config)
    out[f"{prefix}.funds.score_stated"] = funds_score
    rows = table.rows()
    weights = [r.weight for *_, r in rows]
    scores = [r.score for *_, r in rows]
    total_weight = quantize_score(sum((w for w in weights if w is not None), Decimal(0)) + (f.weight or 0))
    total_score = quantize_score(sum((s for s in scores if s is not None), Decimal(0)) + (funds_score or 0))
    out[f"{prefix}.total_weight_stated"] = total_weight
    out[f"{prefix}.total_score_stated"] = total_score
    for i1, i2, i3, _l1, _l2, row in rows:
        key = f"{calc_prefix}.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
        result = score_row(row, config)
        out[f"{key}.suggested"] = result.suggested_score
        out[f"{key}.direction"] = str(result.direction)
        out[f"{key}.explanation"] = result.explanation
        # what 计算结果's mirror formulas =IF(表!D="","",表!D) show ("" for a blank cell)
        out[f"{key}.name"] = row.name
        out[f"{key}.weight"] = row.weight if row.weight is not None else ""
        out[f"{key}.score"] = row.score if row.score is not None else ""
    renormalised = renormalised_total(list(zip(scores, weights, strict=True)), (funds_score, f.weight))
    capped = capped_total(total_score, execution_rate(f.executed, f.full_year_budget), config)
    return TableTotals(funds_score, total_weight, total_score, renormalised, capped)


def compute(report: Any, layout: Layout, config: Config = DEFAULT_CONFIG) -> Computed:
    """The form pack's computation for ``report`` (its form is the layout's)."""
    from perfeval import forms

    return forms.get(layout.form).compute(report, config)


def compute_with_formulas(report: Any, layout: Layout, config: Config = DEFAULT_CONFIG) -> Computed:
    """What the workbook shows once 计算 has put every derived cell's formula back: the report with
    its stated (typed-over) values dropped, computed. Used by ``perfeval compute`` and the 计算 button."""
    restored = report.model_copy(deep=True)
    for cell in layout.cells():
        if cell.role == Role.DERIVED and cell.path:
            set_path(restored, cell.path, None)
    return compute(restored, layout, config)


