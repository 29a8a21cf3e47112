"""BD-*: checks of 附件1-1 部门整体支出绩效评价基础数据表 (rules.md §4.1).

Identity rules compare what the table *shows*: a total the unit typed over its formula is checked against the
components as printed in the same column (a reviewer with a calculator), so one wrong figure gives one finding.
Plausibility rules (BD-008/009/010/016) use the engine's values computed from the input rows.

BD-014 (year labels) is detected by the workbook reader; it is listed by :func:`perfeval.rules.list_rules`
with ``source="reader"`` and has no model rule here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from perfeval.findings import Finding, Severity
from perfeval.forms.department.compute import COLUMNS
from perfeval.forms.department.layout import BD_SHEET, Shape
from perfeval.layout import Role, VType
from perfeval.numbers import money, money_sum
from perfeval.rules.base import Context, Rule, is_number, nz, rule, text_blank

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
ONE = Decimal(1)

#: Numeric input cells of 附件1-1 that the form leaves blank by design (BD-007 does not ask for 0.00).
BLANK_BY_DESIGN = frozenset({"basic.basic_adjustment.prev_actual"})

#: The rate cells of 附件1-1: stated path → (numerator path, denominator path).
BD_RATES = {
    "basic.staff_control_rate_stated": ("basic.staff_actual", "basic.staff_authorized"),
    "basic.building.area_control_stated": ("basic.building.actual_area", "basic.building.approved_area"),
    "basic.building.investment_control_stated": ("basic.building.actual_investment",
                                                  "basic.building.budget_investment"),
}
BUILDING_RATES = ("basic.building.area_control_stated", "basic.building.investment_control_stated")


def _sum_check(r: Rule, ctx: Context, total: str, parts: dict[str, str]) -> Iterator[Finding]:
    """``total.{col}`` (a derived row typed by the unit) = Σ ``parts`` as shown, for each column."""
    for col in COLUMNS:
        path = f"{total}.{col}"
        stated = ctx.value(path)
        if stated is None:  # the formula is in place: holds by construction
            continue
        values = {name: ctx.shown(f"{p}.{col}") if p.endswith("_stated") else ctx.value(f"{p}.{col}")
                  for name, p in parts.items()}
        expected = money_sum(values.values())  # each part as printed (rules.md §4)
        if not ctx.agrees(stated, expected, VType.AMOUNT):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(expected, path),
                              fields={name: ctx.amt(v) for name, v in values.items()})


@rule("BD-001", ERR, "在职人员控制率 = 实际在职人数 / 编制数（F1）",
      "控制率填报为{stated}，按 在职人数/编制数 = {actual}/{authorized} 计算应为{computed}{hint}")
def staff_control_rate(r: Rule, ctx: Context) -> Iterator[Finding]:
    """F1. A 编制数 of 0 (rate not applicable) stated as a number is BD-011, not this rule."""
    path = "basic.staff_control_rate_stated"
    bd = ctx.report.basic
    stated, computed = ctx.value(path), ctx.calc(path)
    if computed is None or ctx.agrees(stated, computed, VType.RATE):
        return
    hint = ""
    if is_number(stated) and bd.staff_actual and bd.staff_authorized is not None and ctx.agrees(
            stated, Decimal(bd.staff_authorized) / Decimal(bd.staff_actual), VType.RATE):
        hint = "（填报值等于 编制数/在职人数，分子分母颠倒）"
    yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(computed, path),
                      actual=ctx.num(bd.staff_actual), authorized=ctx.num(bd.staff_authorized), hint=hint)


@rule("BD-002", WARN, "实际在职人数超过编制数（超编），需说明原因",
      "实际在职人数{actual}人超过编制数{authorized}人（超编{over}人，控制率{rate}），需说明原因")
def over_staffed(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Hunan scoring deducts 0.5 分 per percentage point over 100% (S5)."""
    bd = ctx.report.basic
    if bd.staff_actual is None or bd.staff_authorized is None or bd.staff_actual <= bd.staff_authorized:
        return
    rate = ctx.calc("basic.staff_control_rate_stated")
    yield ctx.finding(r, "basic.staff_actual", stated=ctx.num(bd.staff_actual),
                      computed=ctx.show(rate, VType.RATE), actual=ctx.num(bd.staff_actual),
                      authorized=ctx.num(bd.staff_authorized), over=ctx.num(bd.staff_actual - bd.staff_authorized),
                      rate=ctx.show(rate, VType.RATE))


@rule("BD-003", ERR, "“三公”经费 = 公务用车购置和维护 + 出国 + 公务接待（每列）",
      "{caption}填报为{stated}，按 公务用车购置和维护 + 出国 + 公务接待 = {vehicle} + {overseas} + {reception} "
      "计算应为{computed}")
def three_public_sum(r: Rule, ctx: Context) -> Iterator[Finding]:
    """F16, each of the three amount columns; 公务用车 as shown in the table."""
    yield from _sum_check(r, ctx, "basic.three_public_stated",
                          {"vehicle": "basic.vehicle_stated", "overseas": "basic.overseas",
                           "reception": "basic.reception"})


@rule("BD-004", ERR, "公务用车购置和维护经费 = 公车购置 + 公车运行维护（每列）",
      "{caption}填报为{stated}，按 公车购置 + 公车运行维护 = {purchase} + {operation} 计算应为{computed}")
def vehicle_sum(r: Rule, ctx: Context) -> Iterator[Finding]:
    yield from _sum_check(r, ctx, "basic.vehicle_stated",
                          {"purchase": "basic.vehicle_purchase", "operation": "basic.vehicle_operation"})


@rule("BD-005", ERR, "项目支出 = 各项目行之和（每列）",
      "{caption}填报为{stated}，{n}个项目行合计应为{computed}")
def projects_sum(r: Rule, ctx: Context) -> Iterator[Finding]:
    projects = ctx.report.basic.projects
    for col in COLUMNS:
        path = f"basic.projects_stated.{col}"
        stated = ctx.value(path)
        if stated is None:
            continue
        expected = money_sum(getattr(p.amounts, col) for p in projects)
        if not ctx.agrees(stated, expected, VType.AMOUNT):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(expected, path),
                              n=len(projects))


@rule("BD-006", ERR, "公用经费 ≥ 其中：办公费 + 水电差旅费 + 会议培训费（每列）",
      "{caption}为{stated}，小于其中 办公费 + 水费电费差旅费 + 会议费培训费 = {office} + {utilities} + "
      "{meetings} = {computed}")
def public_funds_parts(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Blank counts as 0 (BD-007 asks for the 0.00)."""
    bd = ctx.report.basic
    for col in COLUMNS:
        parts = [getattr(row, col) for row in (bd.office, bd.utilities_travel, bd.meetings_training)]
        total = getattr(bd.public_funds, col)
        need = money_sum(parts)
        if need - nz(money(total)) >= ctx.config.amount_tolerance:
            path = f"basic.public_funds.{col}"
            yield ctx.finding(r, path, stated=ctx.amt(total), computed=ctx.amt(need), office=ctx.amt(parts[0]),
                              utilities=ctx.amt(parts[1]), meetings=ctx.amt(parts[2]))


@rule("BD-007", WARN, "数据行的数值单元格不得为空（无发生额填0.00）",
      "{caption}为空；数值为零时应填写{zero}，不要留空")
def blank_numbers(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Every numeric input of 附件1-1, except 部门基本支出预算调整（上年决算数）, which the form leaves blank, and
    project rows left entirely blank (no name, no amount: an unused row of the template; the reader drops such
    rows at the end of the block, so a layout row past the report's projects is unused too)."""
    projects = ctx.report.basic.projects
    unused = {i for i, p in enumerate(projects)
              if text_blank(p.name) and all(getattr(p.amounts, c) is None for c in COLUMNS)}
    shape = ctx.layout.shape
    assert isinstance(shape, Shape)
    unused |= set(range(len(projects), shape.n_projects))
    for cell in ctx.layout.sheets[BD_SHEET].cells:
        if cell.role != Role.INPUT or cell.vtype not in (VType.AMOUNT, VType.COUNT, VType.AREA):
            continue
        assert cell.path is not None
        if cell.path.startswith("basic.projects[") and int(cell.path.split("[")[1].split("]")[0]) in unused:
            continue
        if cell.path in BLANK_BY_DESIGN or ctx.value(cell.path) is not None:
            continue
        yield ctx.finding(r, cell, stated="", zero="0" if cell.vtype == VType.COUNT else "0.00")


@rule("BD-008", WARN, "“三公”经费本年决算数不应超过本年预算数（F3 ≤ 100%）",
      "“三公”经费{year}年决算数{actual}超过预算数{budget}（控制率{rate}），需说明原因")
def three_public_over_budget(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Uses the totals computed from the rows (BD-003/004 check the printed totals)."""
    budget = ctx.calc("basic.three_public_stated.budget")
    actual = ctx.calc("basic.three_public_stated.actual")
    assert isinstance(budget, Decimal) and isinstance(actual, Decimal)
    if actual - budget >= ctx.config.amount_tolerance:
        rate = ctx.calc("calc.three_public_control")
        yield ctx.finding(r, "basic.three_public_stated.actual", stated=ctx.amt(actual), computed=ctx.amt(budget),
                          year=ctx.report.year, actual=ctx.amt(actual), budget=ctx.amt(budget),
                          rate=ctx.show(rate, VType.RATE))


@rule("BD-009", WARN, "公用经费决算不应超过预算；控制率偏低时提示（F4）",
      "公用经费{year}年决算数{actual}超过预算数{budget}（控制率{rate}），需说明原因",
      low="公用经费控制率{rate}（决算{actual}/预算{budget}）低于{threshold}，请关注预算编制是否准确")
def public_funds_control(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Over budget is a warning; a control rate below ``config.public_funds_low_rate`` is information."""
    pf = ctx.report.basic.public_funds
    if pf.budget is None or pf.actual is None or pf.budget <= 0:
        return
    rate = ctx.calc("calc.public_funds_control")
    assert isinstance(rate, Decimal)
    fields = {"year": ctx.report.year, "actual": ctx.amt(pf.actual), "budget": ctx.amt(pf.budget),
              "rate": ctx.pct(rate), "threshold": ctx.limit(ctx.config.public_funds_low_rate)}
    if nz(money(pf.actual)) - nz(money(pf.budget)) >= ctx.config.amount_tolerance:  # as printed (§4)
        yield ctx.finding(r, "basic.public_funds.actual", stated=ctx.amt(pf.actual), computed=ctx.pct(rate),
                          fields=fields)
    elif ctx.rate_shown(rate) < ctx.config.public_funds_low_rate:
        yield ctx.finding(r, "basic.public_funds.actual", stated=ctx.amt(pf.actual), computed=ctx.pct(rate),
                          variant="low", severity=INFO, fields=fields)


@rule("BD-010", INFO, "政府采购执行率（本年决算/本年预算）不为100%时提示（F5）",
      "政府采购执行率{rate}（决算{actual}/预算{budget}），与采购计划不一致",
      unplanned="政府采购本年预算数为{budget}，决算数却为{actual}（无采购计划的采购）")
def procurement_rate(r: Rule, ctx: Context) -> Iterator[Finding]:
    pr = ctx.report.basic.procurement
    if pr.actual is None or pr.budget is None:
        return
    rate = ctx.calc("calc.procurement_rate")
    fields = {"actual": ctx.amt(pr.actual), "budget": ctx.amt(pr.budget)}
    if rate is None:
        if pr.actual > 0:
            yield ctx.finding(r, "basic.procurement.actual", stated=ctx.amt(pr.actual), computed="—",
                              variant="unplanned", fields=fields)
        return
    assert isinstance(rate, Decimal)
    if ctx.rate_shown(rate) != ONE:
        yield ctx.finding(r, "basic.procurement.actual", stated=ctx.amt(pr.actual), computed=ctx.pct(rate),
                          rate=ctx.pct(rate), fields=fields)


@rule("BD-011", WARN, "分母为0的比率（控制率、规模控制、投资概算控制率）应填“—”，不得填0或100%",
      "{caption}填报为{stated}，但{den_caption}为{den}，比率不适用，应填“—”（不得填0或100%）")
def zero_denominator(r: Rule, ctx: Context) -> Iterator[Finding]:
    """rules.md §1 division-by-zero rule; "no 楼堂馆所 ⇒ full marks" is a score rule, never a 100% rate."""
    for path, (_num, den) in BD_RATES.items():
        stated, computed = ctx.value(path), ctx.calc(path)
        if computed is None and not ctx.agrees(stated, computed, VType.RATE):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed="—",
                              den_caption=ctx.cell(den).caption, den=ctx.num(ctx.value(den)))


@rule("BD-012", WARN, "项目行须填项目名称；三列均为0的项目行提示删除（仅上年有决算的已结束项目允许）",
      "第{n}个项目行有金额（{amounts}）但未填写项目名称",
      empty="项目“{name}”{year_prev}年决算、{year}年预算、{year}年决算均为0，可删除该行")
def project_rows(r: Rule, ctx: Context) -> Iterator[Finding]:
    """rules.md BD-012: rows with 0 in Y预算 and Y决算 but an amount in Y−1 (closed projects) are allowed."""
    year = ctx.report.year
    for i, p in enumerate(ctx.report.basic.projects):
        values = [getattr(p.amounts, c) for c in COLUMNS]
        has_amount = any(v not in (None, Decimal(0)) for v in values)
        path = f"basic.projects[{i}].name"
        if text_blank(p.name) and has_amount:
            yield ctx.finding(r, path, stated="", n=i + 1, amounts=" / ".join(ctx.amt(v) for v in values))
        elif not text_blank(p.name) and not has_amount:
            yield ctx.finding(r, path, stated=p.name, variant="empty", severity=INFO, name=p.name.strip(),
                              year_prev=year - 1, year=year)


@rule("BD-013", ERR, "填报单位、填表人、填报日期、联系电话必填；填报日期应晚于评价年度末",
      "{caption}未填写",
      early="填报日期{date}不晚于评价年度{year}年末，应为{next_year}年的日期")
def footer(r: Rule, ctx: Context) -> Iterator[Finding]:
    bd = ctx.report.basic
    for path, value in (("basic.unit_name", bd.unit_name), ("basic.filler", bd.filler),
                        ("basic.phone", bd.phone)):
        if text_blank(value):
            yield ctx.finding(r, path, stated="")
    if bd.fill_date is None:
        yield ctx.finding(r, "basic.fill_date", stated="")
    elif bd.fill_date <= dt.date(ctx.report.year, 12, 31):
        date = f"{bd.fill_date.year}年{bd.fill_date.month}月{bd.fill_date.day}日"
        yield ctx.finding(r, "basic.fill_date", stated=date, variant="early", date=date, year=ctx.report.year,
                          next_year=ctx.report.year + 1)


@rule("BD-015", ERR, "楼堂馆所规模控制 = 实际规模/批复规模，投资概算控制率 = 实际投资/预算投资（F14/F15）",
      "{caption}填报为{stated}，按 {num_caption}/{den_caption} = {num}/{den} 计算应为{computed}")
def building_rates(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Added to rules.md §4.1 so every derived cell has a stated-vs-computed rule; 0/0 is BD-011."""
    for path in BUILDING_RATES:
        num, den = BD_RATES[path]
        stated, computed = ctx.value(path), ctx.calc(path)
        if computed is None or ctx.agrees(stated, computed, VType.RATE):
            continue
        yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(computed, path),
                          num_caption=ctx.cell(num).caption, den_caption=ctx.cell(den).caption,
                          num=ctx.show(ctx.value(num), num), den=ctx.show(ctx.value(den), den))


@rule("BD-016", WARN, "楼堂馆所实际规模、实际投资不应超过批复（F14/F15 ≤ 100%）",
      "{caption}为{computed}（{num_caption}{num} 超过 {den_caption}{den}），需说明原因")
def building_over(r: Rule, ctx: Context) -> Iterator[Finding]:
    """S6 scores ≤100% full and deducts above; added to rules.md §4.1 like BD-008 for 三公."""
    for path in BUILDING_RATES:
        num, den = BD_RATES[path]
        computed = ctx.calc(path)
        if isinstance(computed, Decimal) and ctx.rate_shown(computed) > ONE:
            yield ctx.finding(r, path, stated=ctx.shown_text(path), computed=ctx.show(computed, path),
                              num_caption=ctx.cell(num).caption, den_caption=ctx.cell(den).caption,
                              num=ctx.show(ctx.value(num), num), den=ctx.show(ctx.value(den), den))


RULES: tuple[Rule, ...] = (
    staff_control_rate, over_staffed, three_public_sum, vehicle_sum, projects_sum, public_funds_parts,
    blank_numbers, three_public_over_budget, public_funds_control, procurement_rate, zero_denominator,
    project_rows, footer, building_rates, building_over,
)

__all__ = ["BD_RATES", "BLANK_BY_DESIGN", "RULES"]
