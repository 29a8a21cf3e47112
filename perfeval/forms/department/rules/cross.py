"""X-*: checks across 附件1-1 and 附件1-2 (rules.md §4.3), only the halves decidable from the two tables.

Totals of 附件1-1 are taken as shown (the stated figure, or the formula's value).

The report narrative's halves are the report rules (:mod:`perfeval.report.rules`, ``validate --report``) under the
same codes. Left out here — they need the report narrative (or a 项目支出自评表 not in the model):
* X-001/X-002 text half (年初基本支出 / 年初项目预算 in the text); X-003 (公用经费 vs text), X-004 (三公 vs text);
* X-005 (project names vs text), X-006 (project counts in text), X-007 (政府性基金 vs text and fund attribution),
  X-008 text half (人员 + 公用 + 特定目标类 + 其他运转类), X-010 (score/grade in the report), X-011 (staff narrative);
* X-009 (年中追加 decomposition): its table half is implied by ZP-001 + X-001 + X-002 + X-008 and could never
  fail alone; its 收入 half needs 年初 by income source, which only the text gives.
"""

from __future__ import annotations

from collections.abc import Iterator

from perfeval.findings import Finding, Severity
from perfeval.names import plain_name
from perfeval.numbers import money_sum
from perfeval.rules.base import Context, Rule, rule, text_blank

ERR, WARN = Severity.ERROR, Severity.WARNING


@rule("X-001", ERR, "自评表 基本支出 = 基础数据表 部门基本支出预算调整（调整后/决算数）（报告正文见 --report）",
      "自评表基本支出{stated}与基础数据表“部门基本支出预算调整”{year}年决算数{computed}不一致")
def basic_expenditure(r: Rule, ctx: Context) -> Iterator[Finding]:
    zp, bd = ctx.report.self_eval, ctx.report.basic
    if zp.expenditure_basic is None and bd.basic_adjustment.actual is None:
        return
    if not ctx.same_amount(zp.expenditure_basic, bd.basic_adjustment.actual):
        yield ctx.finding(r, "self_eval.expenditure_basic", stated=ctx.amt(zp.expenditure_basic),
                          computed=ctx.amt(bd.basic_adjustment.actual), year=ctx.report.year)


@rule("X-002", ERR, "自评表 项目支出 = 基础数据表 项目支出本年决算数（报告正文见 --report）",
      "自评表项目支出{stated}与基础数据表项目支出{year}年决算数{computed}不一致")
def project_expenditure(r: Rule, ctx: Context) -> Iterator[Finding]:
    zp = ctx.report.self_eval
    bd_total = ctx.shown("basic.projects_stated.actual")
    if zp.expenditure_project is None and not ctx.report.basic.projects:
        return
    if not ctx.same_amount(zp.expenditure_project, bd_total):
        yield ctx.finding(r, "self_eval.expenditure_project", stated=ctx.amt(zp.expenditure_project),
                          computed=ctx.amt(bd_total), year=ctx.report.year)


@rule("X-008", ERR, "自评表 年初预算数 = 基础数据表 基本支出年初数 + 项目支出本年预算数（报告正文见 --report）",
      "自评表年初预算数{stated}，基础数据表 部门基本支出预算调整年初数 + 项目支出{year}年预算数 = {basic} + "
      "{projects} = {computed}")
def initial_budget(r: Rule, ctx: Context) -> Iterator[Finding]:
    """[I] from rules.md X-001/X-002: the 附件1-1 预算数 columns are 年初 figures (seed: 448.61 + 120.00 = 568.61)."""
    f, bd = ctx.report.self_eval.funds, ctx.report.basic
    if f.initial_budget is None:  # ZP-019
        return
    basic, projects = bd.basic_adjustment.budget, ctx.shown("basic.projects_stated.budget")
    expected = money_sum([basic, projects])
    if not ctx.same_amount(f.initial_budget, expected):
        yield ctx.finding(r, "self_eval.funds.initial_budget", stated=ctx.amt(f.initial_budget),
                          computed=ctx.amt(expected), basic=ctx.amt(basic), projects=ctx.amt(projects),
                          year=ctx.report.year)


@rule("X-012", WARN, "基础数据表 填报单位 与 自评表 预算单位名称 应一致",
      "预算单位名称“{stated}”与基础数据表填报单位“{computed}”不一致")
def unit_names(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Added to rules.md §4.3: both tables name the same unit. Blank names are BD-013 / ZP-019."""
    a, b = ctx.report.self_eval.unit_name, ctx.report.basic.unit_name
    if text_blank(a) or text_blank(b) or plain_name(a) == plain_name(b):
        return
    yield ctx.finding(r, "self_eval.unit_name", stated=a.strip(), computed=b.strip())


RULES: tuple[Rule, ...] = (basic_expenditure, project_expenditure, initial_budget, unit_names)

__all__ = ["RULES"]
