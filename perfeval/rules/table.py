"""ZP-*: the checks every 自评表 shares (rules.md §4.2, scoring rules of §2): 附件1-2 整体支出绩效自评表 and
each 项目支出绩效自评表 alike. A form lists its tables (:meth:`~perfeval.forms.base.FormPack.indicator_tables`);
every rule here runs on each of them, at the cells of that table.

Every 三级 row gets a status (:func:`row_status`): a clean 不适用 row is skipped, a half-cleaned one is ZP-017,
a row that keeps its 分值 but says 实际完成值 “不适用/无” with 得分 blank is declared not applicable (S3: the
总分 is re-normalised, ZP-018), every other row is applicable and must be complete (ZP-019).

Left out: ZP-020 (grade = band(总分) and equals the grade stated in the report) — the two tables carry no grade
cell (the 计算结果 sheet derives it), so only the report text could disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

from perfeval.compute import change_rate
from perfeval.findings import Finding, Severity
from perfeval.forms.base import TableRef
from perfeval.indicators import ParsedValue, ValueKind, format_decimal
from perfeval.indicators import parse_value as _parse_value
from perfeval.layout import VType
from perfeval.model import Level3
from perfeval.numbers import money
from perfeval.rules.base import Context, Rule, nz, rule, text_blank
from perfeval.scoring import Direction, band_for_wording, qualitative_band, renormalised_total

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

#: 百分制: the 总分 分值 of the form (Σ三级分值 + 预算执行率分值).
FULL_MARKS = Decimal(100)
#: 二级指标 whose rows should be quantitative upper bounds (ZP-022); the template's name is 成本指标.
COST_LEVEL2 = "成本"



class RowStatus(StrEnum):
    NOT_APPLICABLE = "不适用"  # clean: 无/blank texts, no 分值/得分 (or 0); also an unused row
    DIRTY = "不适用但未清理"  # ZP-017
    DECLARED = "保留分值的不适用"  # 分值 kept, 实际完成值 无/不适用, 得分 blank: re-normalise (ZP-018)
    APPLICABLE = "适用"


def _zeroish(value: Decimal | None) -> bool:
    return value is None or value == 0


#: parse_value is pure and its result frozen: share it between the rules.
parse_value = lru_cache(maxsize=4096)(_parse_value)


def row_status(row: Level3) -> RowStatus:
    name, target, actual = parse_value(row.name), parse_value(row.target), parse_value(row.actual)
    quiet = target.is_absent and actual.is_absent and _zeroish(row.weight) and _zeroish(row.score)
    if name.is_absent or row.weight == 0:
        return RowStatus.NOT_APPLICABLE if quiet else RowStatus.DIRTY
    if row.weight is None and target.is_none_marker and quiet:
        return RowStatus.NOT_APPLICABLE
    if row.weight is not None and row.weight > 0 and row.score is None and actual.is_none_marker:
        return RowStatus.DECLARED
    return RowStatus.APPLICABLE


RowItem = tuple[TableRef, int, int, str, Level3, RowStatus]


def _rows(ctx: Context) -> list[RowItem]:
    """(table, i1, i2, path of the row, row, status) of every 三级 row of every table (computed once per run)."""

    def build() -> list[RowItem]:
        return [(t, i1, i2, f"{t.prefix}.indicators[{i1}].secondaries[{i2}].rows[{i3}]", row, row_status(row))
                for t in ctx.tables for i1, i2, i3, _l1, _l2, row in t.table.rows()]

    rows: list[RowItem] = ctx.memo("table.rows", build)
    return rows


def _table_rows(ctx: Context, table: TableRef) -> list[RowItem]:
    return [item for item in _rows(ctx) if item[0] is table]


def _name(row: Level3) -> str:
    return row.name.strip() or "（未命名）"


def _shown_funds_score(ctx: Context, t: TableRef) -> Decimal:
    return nz(ctx.shown(f"{t.prefix}.funds.score_stated"))


# --------------------------------------------------------------------------- 年度资金总额 and its splits


@rule("ZP-004", ERR, "执行率 = 全年执行数 / 全年预算数（F7），且不得超过100%",
      "执行率填报为{stated}，按 全年执行数/全年预算数 = {executed}/{budget} 计算应为{computed}",
      over="全年执行数{executed}超过全年预算数{budget}（执行率{computed}），执行率不得超过100%")
def execution_rate(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        f, fp = t.table.funds, f"{t.prefix}.funds"
        path = f"{fp}.execution_rate_stated"
        stated, computed = ctx.value(path), ctx.calc(path)
        fields = {"executed": ctx.amt(f.executed), "budget": ctx.amt(f.full_year_budget)}
        if not ctx.agrees(stated, computed, VType.RATE):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(computed, path),
                              fields=fields)
        # Over-execution compares the amounts as printed (781.07 > 781.06 is over even though the rate shows
        # 100.00%); a rate is only the messenger here.
        executed, budget = money(f.executed), money(f.full_year_budget)
        if isinstance(computed, Decimal) and executed is not None and budget is not None and executed > budget:
            yield ctx.finding(r, f"{fp}.executed", stated=ctx.amt(f.executed), computed=ctx.pct(computed),
                              variant="over", fields=fields)


@rule("ZP-005", ERR, "年度资金总额得分 = 分值 × min(执行率, 上限)（F7s）",
      "得分填报为{stated}，按 分值 × min(执行率, {cap}) = {weight} × min({rate}, {cap}) 计算应为{computed}",
      uncapped="得分填报为{stated}，按 分值 × 执行率 = {weight} × {rate} 计算应为{computed}（评分口径不封顶）")
def execution_score(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        fp = f"{t.prefix}.funds"
        path = f"{fp}.score_stated"
        stated, computed = ctx.value(path), ctx.calc(path)
        if ctx.agrees(stated, computed, VType.SCORE):
            continue
        rate = ctx.calc(f"{fp}.execution_rate_stated")
        cap = ctx.config.execution_score_cap
        yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(computed, path),
                          weight=ctx.num(t.table.funds.weight), rate=ctx.show(rate, VType.RATE),
                          cap="" if cap is None else ctx.limit(cap), variant="uncapped" if cap is None else None)


@rule("ZP-006", WARN, "执行率低于阈值（默认100%）需说明偏差原因（本行无偏差原因栏，在校验结果中说明）",
      "执行率{computed}低于{threshold}（全年执行数{executed}/全年预算数{budget}），需说明偏差原因及改进措施")
def execution_below(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        f, path = t.table.funds, f"{t.prefix}.funds.execution_rate_stated"
        rate = ctx.calc(path)
        if isinstance(rate, Decimal) and ctx.rate_shown(rate) < ctx.config.execution_reason_below:
            yield ctx.finding(r, path, stated=ctx.shown_text(path),
                              computed=ctx.pct(rate), threshold=ctx.limit(ctx.config.execution_reason_below),
                              executed=ctx.amt(f.executed), budget=ctx.amt(f.full_year_budget))


@rule("ZP-007", WARN, "年中预算调整幅度 (全年预算数 − 年初预算数)/年初预算数 超过阈值（默认30%）需说明",
      "全年预算数{full}比年初预算数{initial}增加{delta}，预算调整率{computed}超过{threshold}，需说明调整原因")
def budget_adjustment(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        f = t.table.funds
        rate = change_rate(f.full_year_budget, f.initial_budget)  # F8h
        if not isinstance(rate, Decimal) or ctx.rate_shown(rate) <= ctx.config.adjustment_warning_above:
            continue
        yield ctx.finding(r, f"{t.prefix}.funds.full_year_budget", stated=ctx.amt(f.full_year_budget),
                          computed=ctx.pct(rate), full=ctx.amt(f.full_year_budget), initial=ctx.amt(f.initial_budget),
                          delta=ctx.amt(nz(f.full_year_budget) - nz(f.initial_budget)),
                          threshold=ctx.limit(ctx.config.adjustment_warning_above))


# --------------------------------------------------------------------------- weights and totals


@rule("ZP-008", ERR, "每个一级指标下三级指标分值之和 = 一级指标标注的分值（如50/30/10）",
      "{name}下各三级指标分值合计 {parts} = {computed}，与一级指标标注的{stated}分不一致")
def level1_weights(r: Rule, ctx: Context) -> Iterator[Finding]:
    """The declared value is the one printed in the label （50分）; without it, ``config.level1_weights``."""
    for t in ctx.tables:
        for i1, l1 in enumerate(t.table.indicators):
            declared = l1.weight if l1.weight is not None else ctx.config.level1_weights.get(l1.name)
            if declared is None:
                continue
            weights = [row.weight for l2 in l1.secondaries for row in l2.rows]
            total = sum((nz(w) for w in weights), Decimal(0))
            if not ctx.agrees(declared, total, VType.SCORE):
                yield ctx.finding(r, f"{t.prefix}.indicators[{i1}]", stated=ctx.num(declared),
                                  computed=ctx.num(total), name=l1.name,
                                  parts=" + ".join(ctx.num(nz(w)) for w in weights))


@rule("ZP-009", ERR, "总分分值 = Σ三级分值 + 执行率分值 = 100",
      "总分分值填报为{stated}，按 Σ三级分值 + 执行率分值 = {rows} + {funds} 计算应为{computed}",
      sum="Σ三级分值 + 执行率分值 = {rows} + {funds} = {stated}，应为{computed}")
def total_weight(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        path = f"{t.prefix}.total_weight_stated"
        rows = sum((nz(row.weight) for *_, row in t.table.rows()), Decimal(0))
        funds = nz(t.table.funds.weight)
        computed = rows + funds
        stated = ctx.value(path)
        fields = {"rows": ctx.num(rows), "funds": ctx.num(funds)}
        if stated is not None and not ctx.agrees(stated, computed, VType.SCORE):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.num(computed), fields=fields)
        elif not ctx.agrees(computed, FULL_MARKS, VType.SCORE):
            yield ctx.finding(r, path, stated=ctx.num(computed), computed=ctx.num(FULL_MARKS), variant="sum",
                              fields=fields)


@rule("ZP-010", ERR, "总分得分 = Σ三级得分 + 执行率得分",
      "总分得分填报为{stated}，按 Σ三级得分 + 执行率得分 = {rows} + {funds} 计算应为{computed}")
def total_score(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Not applied when a row is declared not applicable with its 分值 kept: ZP-018 checks the total then."""
    for t in ctx.tables:
        if any(status == RowStatus.DECLARED for *_, status in _table_rows(ctx, t)):
            continue
        path = f"{t.prefix}.total_score_stated"
        stated = ctx.value(path)
        if stated is None:
            continue
        rows = sum((nz(row.score) for *_, row in t.table.rows()), Decimal(0))
        funds = _shown_funds_score(ctx, t)
        if not ctx.agrees(stated, rows + funds, VType.SCORE):
            yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.num(rows + funds),
                              rows=ctx.num(rows), funds=ctx.num(funds))


@rule("ZP-018", ERR, "有保留分值的不适用指标时，总分按 Σ适用得分/Σ适用分值 × 100 折算（S3）",
      "“{na}”标为不适用（保留分值{na_weight}分、未评分），总分应按 Σ适用得分/Σ适用分值 × 100 = "
      "{scores}/{weights} × 100 折算为{computed}，表中为{stated}")
def renormalised(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        rows = _table_rows(ctx, t)
        declared = [row for *_, row, status in rows if status == RowStatus.DECLARED]
        if not declared:
            continue
        f = t.table.funds
        funds = _shown_funds_score(ctx, t)
        pairs = [(None if status == RowStatus.DECLARED else row.score, row.weight) for *_, row, status in rows]
        expected = renormalised_total(pairs, (funds, f.weight))
        if expected is None:
            continue
        path = f"{t.prefix}.total_score_stated"
        stated = ctx.value(path)
        shown = stated if stated is not None else sum((nz(row.score) for *_, row, _ in rows), Decimal(0)) + funds
        if ctx.agrees(shown, expected, VType.SCORE):
            continue
        applicable = [(s, w) for s, w in [*pairs, (funds, f.weight)] if s is not None and w is not None and w > 0]
        yield ctx.finding(r, path, stated=ctx.show(shown, VType.SCORE),
                          computed=ctx.num(expected), na="、".join(_name(row) for row in declared),
                          na_weight=ctx.num(sum((nz(row.weight) for row in declared), Decimal(0))),
                          scores=ctx.num(sum((s for s, _ in applicable), Decimal(0))),
                          weights=ctx.num(sum((w for _, w in applicable), Decimal(0))))


# --------------------------------------------------------------------------- 三级 rows


@rule("ZP-011", ERR, "每行 0 ≤ 得分 ≤ 分值（分值不得为负数）",
      "“{name}”得分{stated}超出 0–{weight} 分的范围",
      negative="{name}分值填写为{stated}，分值不得为负数")
def score_range(r: Rule, ctx: Context) -> Iterator[Finding]:
    """A negative 分值 (a typo) is reported at the 分值 cell, the 年度资金总额 one included; its row's 得分 is then
    not range-checked (the range itself is wrong)."""
    for t in ctx.tables:
        funds_weight = t.table.funds.weight
        if funds_weight is not None and funds_weight < 0:
            yield ctx.finding(r, f"{t.prefix}.funds.weight", stated=ctx.num(funds_weight), computed=None,
                              variant="negative", name="年度资金总额")
    for *_, prefix, row, status in _rows(ctx):
        if row.weight is not None and row.weight < 0:
            yield ctx.finding(r, f"{prefix}.weight", stated=ctx.num(row.weight), computed=None, variant="negative",
                              name=f"“{_name(row)}”")
            continue
        if status == RowStatus.NOT_APPLICABLE or row.score is None or row.weight is None:
            continue
        if row.score < 0 or row.score > row.weight:
            yield ctx.finding(r, f"{prefix}.score", stated=ctx.num(row.score), computed=None, name=_name(row),
                              weight=ctx.num(row.weight))


def _lost_points(row: Level3) -> bool:
    return row.score is not None and row.weight is not None and row.score < row.weight


@rule("ZP-012", ERR, "得分低于分值时，偏差原因分析及改进措施不能为空",
      "“{name}”得分{score}低于分值{weight}，偏差原因分析及改进措施不能为空")
def deviation_required(r: Rule, ctx: Context) -> Iterator[Finding]:
    for *_, prefix, row, status in _rows(ctx):
        if status == RowStatus.APPLICABLE and _lost_points(row) and text_blank(row.deviation):
            yield ctx.finding(r, f"{prefix}.deviation", stated="", name=_name(row), score=ctx.num(row.score),
                              weight=ctx.num(row.weight))


@rule("ZP-013", WARN, "定性指标实际完成值已达到年度指标值却扣分，且未说明原因",
      "“{name}”实际完成值“{actual}”已达到年度指标值“{target}”，却扣{lost}分（{score}/{weight}），未说明原因")
def met_but_deducted(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Qualitative rows only: for a quantitative row ZP-014 compares the score with the formula."""
    for _t, _i1, _i2, prefix, row, status in _rows(ctx):
        if status != RowStatus.APPLICABLE or not _lost_points(row) or not text_blank(row.deviation):
            continue
        assert row.score is not None and row.weight is not None
        result = ctx.scored(prefix, row)
        if row.score >= 0 and result.direction == Direction.QUALITATIVE and result.target_met:
            yield ctx.finding(r, f"{prefix}.score", stated=ctx.num(row.score), computed=ctx.num(row.weight),
                              name=_name(row), actual=row.actual.strip(), target=row.target.strip(),
                              lost=ctx.num(row.weight - row.score), score=ctx.num(row.score),
                              weight=ctx.num(row.weight))


@rule("ZP-014", WARN, "定量指标得分应符合计分公式（正向 min(B/A,1)×分值，反向 min(A/B,1)×分值）",
      "“{name}”得分填报为{stated}，{explanation}，建议得分{computed}")
def formula_score(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Scores outside 0–分值 are ZP-011 only. A score cut for over-achievement (S2 调减) lands here too."""
    for _t, _i1, _i2, prefix, row, status in _rows(ctx):
        if status != RowStatus.APPLICABLE or row.score is None or row.weight is None:
            continue
        if row.score < 0 or row.score > row.weight:
            continue
        result = ctx.scored(prefix, row)
        if result.suggested_score is None or ctx.agrees(row.score, result.suggested_score, VType.SCORE):
            continue
        yield ctx.finding(r, f"{prefix}.score", stated=ctx.num(row.score), computed=ctx.num(result.suggested_score),
                          name=_name(row), explanation=result.explanation)


@rule("ZP-015", WARN, "超额完成（完成比例 ≥ 阈值，默认120%）需在偏差原因中说明",
      "“{name}”年度指标值{target}、实际完成值{actual}，完成比例{ratio}≥{threshold}，超额完成需在偏差原因中说明"
      "（年初指标值是否设定偏低）")
def over_achievement(r: Rule, ctx: Context) -> Iterator[Finding]:
    for _t, _i1, _i2, prefix, row, status in _rows(ctx):
        if status != RowStatus.APPLICABLE or not text_blank(row.deviation):
            continue
        result = ctx.scored(prefix, row)
        if result.over_achieved:
            yield ctx.finding(r, f"{prefix}.actual", stated=row.actual.strip(),
                              computed=ctx.pct(result.completion_ratio), name=_name(row),
                              target=row.target.strip(), actual=row.actual.strip(),
                              ratio=ctx.pct(result.completion_ratio),
                              threshold=ctx.limit(ctx.config.over_achievement_ratio))


@rule("ZP-016", WARN, "定性指标得分档次（默认达成≥80%、部分达成≥60%、未达成<60%）应与实际完成值表述一致",
      "“{name}”得分{score}/{weight}（{ratio}）属于“{band}”档，而实际完成值“{actual}”表述为“{wording}”")
def qualitative_wording(r: Rule, ctx: Context) -> Iterator[Finding]:
    for _t, _i1, _i2, prefix, row, status in _rows(ctx):
        if status != RowStatus.APPLICABLE or row.score is None or row.weight is None or row.weight <= 0:
            continue
        if ctx.scored(prefix, row).direction != Direction.QUALITATIVE:
            continue
        band = qualitative_band(row.score, row.weight, ctx.config)
        wording = band_for_wording(row.actual)
        if band is not None and wording is not None and band != wording:
            yield ctx.finding(r, f"{prefix}.score", stated=ctx.num(row.score), computed=None, name=_name(row),
                              score=ctx.num(row.score), weight=ctx.num(row.weight),
                              ratio=ctx.pct(row.score / row.weight), band=band.value, actual=row.actual.strip(),
                              wording=wording.value)


@rule("ZP-017", WARN, "不适用指标（三级指标为“无”或分值为0）的年度指标值、实际完成值、分值、得分应留空或填“无”",
      "三级指标为“{name}”（不适用），但年度指标值/实际完成值为“{target}”/“{actual}”、分值/得分为{weight}/{score}："
      "不适用指标应四项均留空或填“无”",
      zero="“{name}”分值为0，却填写了年度指标值/实际完成值“{target}”/“{actual}”：不适用指标应写“无”并清空，"
           "适用指标应赋分值")
def not_applicable_hygiene(r: Rule, ctx: Context) -> Iterator[Finding]:
    for *_, prefix, row, status in _rows(ctx):
        if status != RowStatus.DIRTY:
            continue
        variant = None if parse_value(row.name).is_absent else "zero"
        yield ctx.finding(r, f"{prefix}.name", stated=row.name.strip(), variant=variant,
                          name=row.name.strip() or "（空）", target=row.target.strip() or "（空）",
                          actual=row.actual.strip() or "（空）", weight=ctx.num(row.weight),
                          score=ctx.num(row.score))


@rule("ZP-019", ERR, "必填项：表头（预算单位名称；项目表为项目名称、主管部门、实施单位）、年度总体目标、"
                    "年度资金总额各数、适用指标的指标值/实际值/分值/得分",
      "{caption}未填写",
      row="“{name}”的{caption}未填写")
def required(r: Rule, ctx: Context) -> Iterator[Finding]:
    for t in ctx.tables:
        for key in (*t.required, "goal_expected", "goal_actual"):
            if text_blank(ctx.value(f"{t.prefix}.{key}")):
                yield ctx.finding(r, f"{t.prefix}.{key}", stated="")
        for key in ("initial_budget", "full_year_budget", "executed", "weight"):
            if getattr(t.table.funds, key) is None:
                yield ctx.finding(r, f"{t.prefix}.funds.{key}", stated="")
    for *_, prefix, row, status in _rows(ctx):
        if status == RowStatus.APPLICABLE:
            missing = [k for k in ("target", "actual") if parse_value(getattr(row, k)).kind is ValueKind.EMPTY]
            missing += [k for k in ("weight", "score") if getattr(row, k) is None]
        elif status == RowStatus.DECLARED:
            missing = ["target"] if parse_value(row.target).kind is ValueKind.EMPTY else []
        else:
            continue
        for key in missing:
            yield ctx.finding(r, f"{prefix}.{key}", stated="", variant="row", name=_name(row))


# --------------------------------------------------------------------------- wording of 年度指标值


def _example(target: ParsedValue, direction: Direction) -> str:
    comparator = target.comparator.value if target.comparator is not None else {
        Direction.NEGATIVE: "≤", Direction.EQUAL: "="}.get(direction, "≥")
    number = format_decimal(target.number) if target.number is not None else "xx"
    return f"{comparator}{number}{target.unit or '（计量单位）'}"


@rule("ZP-021", INFO, "定量指标的年度指标值应写明比较符（≥、≤、=）和计量单位",
      "年度指标值“{target}”缺少{missing}，建议写成“{example}”")
def target_wording(r: Rule, ctx: Context) -> Iterator[Finding]:
    for _t, _i1, _i2, prefix, row, status in _rows(ctx):
        if status != RowStatus.APPLICABLE:
            continue
        target = parse_value(row.target)
        if target.kind is not ValueKind.QUANTITATIVE:
            continue
        missing = [m for m, gap in (("比较符（≥、≤、=）", target.comparator is None), ("计量单位", not target.unit))
                   if gap]
        if missing:
            yield ctx.finding(r, f"{prefix}.target", stated=row.target.strip(), target=row.target.strip(),
                              missing="和".join(missing), example=_example(target, ctx.scored(prefix, row).direction))


@rule("ZP-022", INFO, "成本指标宜为定量上限（如“≤xx万元”）",
      "成本指标“{name}”的年度指标值“{target}”不是定量值，建议写明上限金额（如“≤xx万元”）")
def cost_quantitative(r: Rule, ctx: Context) -> Iterator[Finding]:
    for _t, i1, i2, prefix, row, status in _rows(ctx):
        level2 = _t.table.indicators[i1].secondaries[i2].name
        if status != RowStatus.APPLICABLE or COST_LEVEL2 not in level2:
            continue
        if parse_value(row.target).kind is not ValueKind.QUANTITATIVE:
            yield ctx.finding(r, f"{prefix}.target", stated=row.target.strip(), name=_name(row),
                              target=row.target.strip())


RULES: tuple[Rule, ...] = (
    execution_rate, execution_score, execution_below,
    budget_adjustment, level1_weights, total_weight, total_score, score_range, deviation_required,
    met_but_deducted, formula_score, over_achievement, qualitative_wording, not_applicable_hygiene, renormalised,
    required, target_wording, cost_quantitative,
)

__all__ = ["FULL_MARKS", "RULES", "RowStatus", "row_status"]
