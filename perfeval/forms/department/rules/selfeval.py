"""ZP-001…ZP-003: the checks only 附件1-2 has (its 按收入性质分 / 按支出性质分 split of the 年度资金总额).

The checks every 自评表 shares (ZP-004 onwards) are in :mod:`perfeval.rules.table`.
"""

from __future__ import annotations

from collections.abc import Iterator

from perfeval.findings import Finding, Severity
from perfeval.layout import VType
from perfeval.numbers import money_sum
from perfeval.rules.base import Context, Rule, rule

ERR = Severity.ERROR

INCOME = ("income_general_public", "income_gov_fund", "income_special_non_tax", "income_other")
EXPENDITURE = ("expenditure_basic", "expenditure_project")


@rule("ZP-001", ERR, "按支出性质分：基本支出 + 项目支出 = 全年预算数（年度资金总额）",
      "基本支出 + 项目支出 = {basic} + {project} = {stated}，与全年预算数{computed}不一致")
def expenditure_split(r: Rule, ctx: Context) -> Iterator[Finding]:
    zp = ctx.report.self_eval
    budget = zp.funds.full_year_budget
    if budget is None:  # ZP-019
        return
    total = money_sum([zp.expenditure_basic, zp.expenditure_project])
    if not ctx.same_amount(total, budget):
        yield ctx.finding(r, "self_eval.expenditure_total_stated", stated=ctx.amt(total), computed=ctx.amt(budget),
                          basic=ctx.amt(zp.expenditure_basic), project=ctx.amt(zp.expenditure_project))


@rule("ZP-002", ERR, "按收入性质分：一般公共预算 + 政府性基金 + 专户非税收入 + 其他资金 = 全年预算数",
      "一般公共预算 + 政府性基金拨款 + 纳入专户管理的非税收入拨款 + 其他资金 = {parts} = {stated}，"
      "与全年预算数{computed}不一致")
def income_split(r: Rule, ctx: Context) -> Iterator[Finding]:
    zp = ctx.report.self_eval
    budget = zp.funds.full_year_budget
    if budget is None:
        return
    values = [getattr(zp, k) for k in INCOME]
    total = money_sum(values)
    if not ctx.same_amount(total, budget):
        yield ctx.finding(r, "self_eval.income_total_stated", stated=ctx.amt(total), computed=ctx.amt(budget),
                          parts=" + ".join(ctx.amt(v) for v in values))


@rule("ZP-003", ERR, "按收入性质分、按支出性质分的合计 = 其中各项之和（两者均应等于全年预算数）",
      "{caption}填报为{stated}，其中各项合计为{computed}（全年预算数{budget}）")
def split_headers(r: Rule, ctx: Context) -> Iterator[Finding]:
    """The header totals typed over their formula; with ZP-001/002 this makes header = header = 全年预算数."""
    zp = ctx.report.self_eval
    for path, keys in (("self_eval.income_total_stated", INCOME),
                       ("self_eval.expenditure_total_stated", EXPENDITURE)):
        stated = ctx.value(path)
        if stated is None:
            continue
        expected = money_sum(getattr(zp, k) for k in keys)
        if not ctx.agrees(stated, expected, VType.AMOUNT):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.amt(expected),
                              budget=ctx.amt(zp.funds.full_year_budget))


RULES: tuple[Rule, ...] = (expenditure_split, income_split, split_headers)
