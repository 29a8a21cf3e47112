"""Report-text checks (rules.md §4.3): the 自评报告's statements against the tables, as ordinary rules.

The parsed report (:class:`~perfeval.report.text.ReportDocument`) arrives in ``ctx.extra["report_text"]``
(``run_rules(..., extra=pack.report_rules(), context={"report_text": doc})``); without it every rule is silent.
A finding quotes the sentence (``Finding.quote``), shows the text's value (``stated``) and the table's
(``computed``) and points at the table cell through the layout. A number the checker cannot bind to a keyword
of a known statement is not a finding. Each rule reports a table cell at most once (the first sentence that
disagrees), so each number of the seed's wording feeds exactly one check:

* X-001 基本支出 (年初 / 全年 / 实际, the 按支出性质分 part, and 人员支出 = 年初基本支出 − 公用经费); X-002
  项目支出 (年初 / 全年 / 实际, the 按支出性质分 part, 特定目标类 + 其他运转类 = 年初项目支出, a listed project's
  amount); X-003 公用经费 年初 / 预算数 / 实际支出; X-004 三公经费 预算数 and 支出 (``无“三公”经费支出`` = 0), the
  parts of each; X-005 project names; X-006 年初编报 / 年中追加 project counts; X-007 政府性基金 (支出, and the
  按收入性质分 part); X-008 年初预算数; X-009 全年预算数 / 全年执行数, the 按收入性质分 total and its other parts, the
  按支出性质分 total, 年初 by income source, 年中追加 of 项目支出; X-010 得分 and 等级; X-011 在职 / 编制 statements;
* TX-001 收入 vs 支出 较上年 changes; TX-003 dates against the 自评表's text; TX-004 全部完成 vs 剩余/正在/尚未;
  TX-008 a 【请填写：…】 marker left in the report; TX-009 政府采购 预算 / 实际 (no X code covers it).

Tolerances: a figure against its own cell agrees at 0.01 万元 (``amount_tolerance``); a total against parts (one
side a sum or difference of n rounded amounts: 人员支出, 特定目标类 + 其他运转类, 年中追加, 年初 一般公共预算拨款,
年初 + 年中追加 政府性基金) follows wave2 §4's XBRL model — within (n + 1) × 0.005 万元 an INFO "rounding", beyond
it the rule's mismatch (:func:`check_sum`).

Left out: TX-002 (itemised 基本支出, an INFO needing items the tables do not have), TX-005/TX-006/TX-007 (sums,
counts and typos inside the text: no table cell to point at), the 年初/上年 statements the tables do not hold
(``与上年持平``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from perfeval.findings import Finding, Severity
from perfeval.forms.base import ListedProject
from perfeval.names import plain_name, similarity, strip_ordinal
from perfeval.numbers import fmt_amount, money
from perfeval.report.numbers import AMOUNT, COUNT, DATE, SCORE, Bound, Mention, after_keyword, extract
from perfeval.report.text import PLACEHOLDER, ReportDocument, Sentence
from perfeval.rules.base import Context, Rule, nz, rule

ERR, WARN, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
CONTEXT_KEY = "report_text"
QUOTE_MAX = 240
#: a number belongs to the clause of its keyword
CLAUSE = ("，", ",", "；", ";", "：", ":", "、", "。")


# --------------------------------------------------------------------------- helpers


def document(ctx: Context) -> ReportDocument | None:
    doc = ctx.extra.get(CONTEXT_KEY)
    return doc if isinstance(doc, ReportDocument) else None


def quote(sentence: Sentence, span: tuple[int, int] | None = None) -> str:
    """The sentence as printed (trimmed around ``span`` when very long)."""
    text = sentence.text.strip()
    if len(text) <= QUOTE_MAX:
        return text
    centre = (span[0] + span[1]) // 2 if span else 0
    start = max(0, min(centre - QUOTE_MAX // 2, len(text) - QUOTE_MAX))
    return ("…" if start else "") + text[start:start + QUOTE_MAX] + ("…" if start + QUOTE_MAX < len(text) else "")


def emit(ctx: Context, r: Rule, path: str, sentence: Sentence, *, stated: str, computed: str,
         span: tuple[int, int] | None = None, variant: str | None = None, severity: Severity | None = None,
         **named: object) -> Finding:
    f = ctx.finding(r, path, stated=stated, computed=computed, variant=variant, severity=severity,
                    fields={"paragraph": sentence.paragraph + 1, **named})
    return f.model_copy(update={"quote": quote(sentence, span)})


def once_per_cell(findings: Iterable[Finding]) -> Iterator[Finding]:
    seen: set[tuple[str, str, str]] = set()
    for f in findings:
        if f.key not in seen:
            seen.add(f.key)
            yield f


def reported(fn: Callable[[Rule, Context, ReportDocument], Iterable[Finding]]
             ) -> Callable[[Rule, Context], Iterator[Finding]]:
    """A check that runs only when a report was given, and reports each cell once."""

    def check(r: Rule, ctx: Context) -> Iterator[Finding]:
        doc = document(ctx)
        if doc is None:
            return
        yield from once_per_cell(fn(r, ctx, doc))

    check.__doc__ = fn.__doc__
    return check


def topic(sentence: Sentence, pos: int, topics: Sequence[str]) -> str | None:
    """The topic a keyword at ``pos`` belongs to: the last of ``topics`` written before it in the sentence,
    else the first one the sentence's heading names."""
    before = sentence.norm[:pos]
    best, at = None, -1
    for t in topics:
        i = before.rfind(t)
        if i > at:
            best, at = t, i
    if best is not None:
        return best
    heading = sentence.scope.split("\n", 1)[0]
    for t in topics:
        if t in heading:
            return t
    return None


def cents(value: Decimal | None) -> Decimal:
    """An amount at 0.01 万元, blank as 0."""
    rounded = money(nz(value))
    assert rounded is not None
    return rounded


def amount_text(value: Decimal | None) -> str:
    return fmt_amount(money(nz(value))) + "万元"


def stated_amount(m: Mention) -> str:
    return fmt_amount(money(m.value)) + "万元"


def count_text(value: int | Decimal | None, unit: str) -> str:
    return "空" if value is None else f"{value}{unit}"


def bind(doc: ReportDocument, keywords: Sequence[str], kinds: Sequence[str] = (AMOUNT,), *,
         topics: Sequence[str] = (), want: str | None = None, exclude: Sequence[str] = (),
         lookalikes: Sequence[str] = (), window: int = 30) -> Iterator[tuple[Sentence, Bound]]:
    """Every (sentence, bound number) of ``keywords`` whose topic (see :func:`topic`) is ``want``."""
    for s in doc.sentences():
        if not any(k in s.norm for k in keywords):
            continue
        for b in after_keyword(s, keywords, kinds, stop=CLAUSE, lookalikes=lookalikes, window=window):
            if want is not None and topic(s, b.at, topics) != want:
                continue
            if any(x in s.norm[max(0, b.at - 8):b.at] for x in exclude):
                continue
            yield s, b


def check_amount(ctx: Context, r: Rule, path: str, pairs: Iterable[tuple[Sentence, Bound]],
                 table: Decimal | None, what: str) -> Iterator[Finding]:
    """A figure against its cell: equal at 0.01 万元 (``ctx.same_amount``, the config's ``amount_tolerance``)."""
    for s, b in pairs:
        if not ctx.same_amount(b.mention.value, table):
            yield emit(ctx, r, path, s, stated=stated_amount(b.mention), computed=amount_text(table),
                       span=b.mention.span, what=what)


#: wave2 §4 (XBRL calculation checks): a parent of n rounded children may differ from their sum by
#: (n + 1) × 0.005 万元 — "rounding" (INFO); beyond it, a mismatch
ROUNDING_STEP = Decimal("0.005")


def rounding_allowance(children: int) -> Decimal:
    return (children + 1) * ROUNDING_STEP


def check_sum(ctx: Context, r: Rule, path: str, s: Sentence, *, stated: Decimal, table: Decimal | None,
              children: int, span: tuple[int, int] | None, what: str) -> Iterator[Finding]:
    """A total compared with parts (one side a sum or difference of ``children`` rounded amounts): silent when
    equal at 0.01 万元; within :func:`rounding_allowance` an INFO (variant ``rounding``); beyond it the rule's
    mismatch."""
    diff = abs(cents(stated) - cents(table))
    if diff == 0:
        return
    allowance = rounding_allowance(children)
    rounding = diff <= allowance
    yield emit(ctx, r, path, s, stated=amount_text(stated), computed=amount_text(table), span=span, what=what,
               variant="rounding" if rounding else None, severity=INFO if rounding else None,
               diff=fmt_amount(diff), children=children, allowance=str(allowance))


def statement(doc: ReportDocument, markers: Sequence[str]) -> Iterator[Sentence]:
    """The sentences of one statement: those holding any of ``markers`` (``年度资金总额``, ``按收入性质分``)."""
    return (s for s in doc.sentences() if any(m in s.norm for m in markers))


#: characters allowed between a part's name and its figure in a 其中 list (``基本支出为483.19万元``)
PART_GAP = 2


def parts_of(s: Sentence, keywords: Sequence[str]) -> list[Bound]:
    """The figure right after one of ``keywords`` (at most :data:`PART_GAP` characters between them), first
    occurrence only: a part of a total listed after 其中."""
    return after_keyword(s, keywords, stop=CLAUSE, window=PART_GAP)[:1]


# ---------------------------------------------------------------------------

_BUDGET_TOPICS = ("基本支出", "项目支出")
_INITIAL = ("年初预算数", "年初预算")
_FULL = ("全年预算数", "全年预算", "调整后预算数", "调整后预算")
_ACTUAL = ("实际支出", "决算数", "执行数")


#: what a 预算数 / 实际支出 may be about in a sentence naming 公用经费 (X-003)
_PUBLIC_TOPICS = ("公用经费", "办公费", "水费", "电费", "差旅费", "会议费", "培训费", "三公", "基本支出", "项目支出",
                  "人员支出", "年初预算数")


def _section(doc: ReportDocument, want: str, keywords: Sequence[str]) -> Iterator[tuple[Sentence, Bound]]:
    return bind(doc, keywords, topics=_BUDGET_TOPICS, want=want)


_AMOUNT_TEMPLATE = "报告第{paragraph}段所写{what}{stated}，与表中{caption}{computed}不一致"
#: a total against parts within the rounding allowance (wave2 §4)
_ROUNDING_TEMPLATE = ("报告第{paragraph}段所写{what}{stated}，与表中{caption}{computed}相差{diff}万元，"
                      "在{children}个分项的舍入允差{allowance}万元以内（按舍入差处理，请核对）")
#: the 按收入性质分 / 按支出性质分 statements (附件1-2 rows 6–10): the sentence names its total
_INCOME_NATURE = ("年度资金总额", "按收入性质分")
_SPENDING_NATURE = ("年度支出总额", "按支出性质分")


@rule("X-001", ERR, "报告正文的基本支出（年初、全年预算数、实际支出、人员支出）应与表中一致", _AMOUNT_TEMPLATE,
      rounding=_ROUNDING_TEMPLATE)
@reported
def text_basic(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-001: in the part about 基本支出 (its heading or the words before the keyword), 年初预算数
    = 附件1-1 部门基本支出预算调整 年初; 全年预算数, and the 基本支出 part of the 按支出性质分 statement
    (``年度支出总额…，其中：基本支出483.19万元``), = 附件1-2 基本支出; 实际支出 = 附件1-1 调整后/决算数 (each at
    0.01 万元). In the 支出预算 sentence, 人员支出 = 年初基本支出 − 年初公用经费 (the seed: 408.11 = 448.61 − 40.50),
    a parent of two parts: within 3 × 0.005 万元 an INFO (wave2 §4)."""
    bd, zp = ctx.report.basic, ctx.report.self_eval
    yield from check_amount(ctx, r, "basic.basic_adjustment.budget", _section(doc, "基本支出", _INITIAL),
                            bd.basic_adjustment.budget, "基本支出年初预算数")
    nature = [(s, b) for s in statement(doc, _SPENDING_NATURE) for b in parts_of(s, ("基本支出",))]
    yield from check_amount(ctx, r, "self_eval.expenditure_basic", [*_section(doc, "基本支出", _FULL), *nature],
                            zp.expenditure_basic, "基本支出全年预算数")
    yield from check_amount(ctx, r, "basic.basic_adjustment.actual", _section(doc, "基本支出", _ACTUAL),
                            bd.basic_adjustment.actual, "基本支出实际支出")
    staff = cents(bd.basic_adjustment.budget) - cents(bd.public_funds.budget)
    for s, b in bind(doc, ("人员支出", "人员经费")):
        yield from check_sum(ctx, r, "basic.basic_adjustment.budget", s, stated=b.mention.value, table=staff,
                             children=2, span=b.mention.span, what="年初人员支出（= 基本支出年初 − 公用经费年初）")


@rule("X-002", ERR, "报告正文的项目支出（年初、全年预算数、实际支出、各项目金额）应与表中一致", _AMOUNT_TEMPLATE,
      rounding=_ROUNDING_TEMPLATE)
@reported
def text_projects(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-002: in the part about 项目支出, 年初预算数 = 附件1-1 项目支出 本年预算数; 全年预算数 (and
    ``涉及项目支出``, and the 项目支出 part of the 按支出性质分 statement) = 附件1-2 项目支出; 实际支出 = 附件1-1
    项目支出 本年决算数 (each at 0.01 万元); 特定目标类 + 其他运转类项目支出 (支出预算) = 附件1-1 项目支出 本年预算数
    within (n + 1) × 0.005 万元 as rounding (INFO; wave2 §4); a project named in the text (X-005 matches it) with an
    amount equal to neither its 预算数 nor its 决算数."""
    zp = ctx.report.self_eval
    yield from check_amount(ctx, r, "basic.projects_stated.budget", _section(doc, "项目支出", _INITIAL),
                            ctx.shown("basic.projects_stated.budget"), "项目支出年初预算数")
    nature = [(s, b) for s in statement(doc, _SPENDING_NATURE) for b in parts_of(s, ("项目支出",))]
    yield from check_amount(ctx, r, "self_eval.expenditure_project",
                            [*_section(doc, "项目支出", _FULL), *bind(doc, ("涉及项目支出",)), *nature],
                            zp.expenditure_project, "项目支出全年预算数")
    yield from check_amount(ctx, r, "basic.projects_stated.actual", _section(doc, "项目支出", _ACTUAL),
                            ctx.shown("basic.projects_stated.actual"), "项目支出实际支出")
    for s in doc.sentences():
        parts = [b for b in after_keyword(s, ("特定目标类项目支出", "其他运转类项目支出"), stop=CLAUSE)]
        if parts:
            total = sum((b.mention.value for b in parts), Decimal(0))
            yield from check_sum(ctx, r, "basic.projects_stated.budget", s, stated=total,
                                 table=ctx.shown("basic.projects_stated.budget"), children=len(parts),
                                 span=parts[0].mention.span, what="特定目标类与其他运转类项目支出合计")
    for match in project_mentions(ctx, doc):
        m = match.mention
        if m.amount is None or match.project is None:
            continue
        p = match.project
        if not any(ctx.same_amount(m.amount, v) for v in (p.actual, p.budget) if v is not None):
            cell = p.path.replace(".name", ".amounts.actual") if p.path and ".amounts" not in p.path else None
            path = cell if cell and cell in ctx.layout.by_path() else p.path
            if path is None:
                continue
            yield emit(ctx, r, path, m.sentence, stated=amount_text(m.amount), computed=amount_text(p.actual),
                       span=m.span, what=f"项目“{m.name}”的金额")


@rule("X-003", ERR, "报告正文的公用经费（年初、预算数、实际支出）应与附件1-1 公用经费一致", _AMOUNT_TEMPLATE)
@reported
def text_public_funds(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-003, at 0.01 万元: 公用经费 stated with a 年初 figure (the 支出预算 sentence) = 附件1-1 公用经费
    本年预算数; in a sentence whose subject is 公用经费 (``2023年公用经费预算数40.50万元，实际支出21.24万元``: the
    last of 公用经费 / its items / 三公 / 基本 / 项目支出 written before the keyword), 预算数 = 本年预算数 and 实际支出
    (决算数) = 本年决算数. The items (办公费 …) are not read: their sentences name no 公用经费."""
    pf = ctx.report.basic.public_funds
    pairs = [(s, b) for s, b in bind(doc, ("公用经费",)) if "年初" in s.norm[:b.at]]
    subject = [(s, b, kind) for kind, words in (("budget", ("预算数", "预算金额")), ("actual", _ACTUAL))
               for s, b in bind(doc, words, exclude=("全年", "调整后", "上年")) if "公用经费" in s.norm[:b.at]
               and topic(s, b.at, _PUBLIC_TOPICS) == "公用经费"]
    yield from check_amount(ctx, r, "basic.public_funds.budget",
                            [*pairs, *((s, b) for s, b, kind in subject if kind == "budget")], pf.budget,
                            "公用经费预算数")
    yield from check_amount(ctx, r, "basic.public_funds.actual",
                            [(s, b) for s, b, kind in subject if kind == "actual"], pf.actual, "公用经费实际支出")


@rule("X-008", ERR, "报告正文的年初预算数应与附件1-2 年初预算数一致", _AMOUNT_TEMPLATE)
@reported
def text_initial(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-008: the 年初预算数 of the whole unit (收入预算 / 支出预算: a 年初预算数 not about 基本支出 or
    项目支出) = 附件1-2 年初预算数. Its parts are checked where each part has its own cell (X-001, X-002, X-003)."""
    pairs = [(s, b) for s, b in bind(doc, _INITIAL) if topic(s, b.at, _BUDGET_TOPICS) is None]
    yield from check_amount(ctx, r, "self_eval.funds.initial_budget", pairs,
                            ctx.report.self_eval.funds.initial_budget, "年初预算数")


@rule("X-009", ERR, "报告正文的全年预算数、全年执行数、按收入性质和支出性质分的资金、年中追加和按收入来源的年初数"
      "应与表中一致", _AMOUNT_TEMPLATE, rounding=_ROUNDING_TEMPLATE)
@reported
def text_adjustment(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-009, each figure against its cell at 0.01 万元: 整体支出, and a 全年预算数 not about 基本支出 or
    项目支出 (the 收入情况 sentence), = 附件1-2 年度资金总额 全年预算数; 全年执行数 (not about 基本/项目支出) =
    全年执行数; the 按收入性质分 statement (``年度资金总额781.06万元，其中：一般公共预算675.92万元，…``): its
    total = 按收入性质分 合计 and its 一般公共预算 / 纳入专户管理的非税收入 / 其他资金 parts = their rows (the
    政府性基金 part is X-007's cell); the 按支出性质分 statement's total (``年度支出总额``) = 按支出性质分 合计 (its
    基本 / 项目 parts are X-001's / X-002's cells). 项目支出 年中追加预算 = 附件1-2 项目支出 − 附件1-1 项目支出
    本年预算数 (177.87 = 297.87 − 120.00) and 年初 一般公共预算拨款 = 年初预算数 − the other 年初 sources the same
    sentence states (``无政府性基金预算拨款`` = 0): totals against parts, within (n + 1) × 0.005 万元 as rounding
    (INFO; wave2 §4)."""
    zp = ctx.report.self_eval
    unit_full = [(s, b) for s, b in bind(doc, _FULL) if topic(s, b.at, _BUDGET_TOPICS) is None]
    yield from check_amount(ctx, r, "self_eval.funds.full_year_budget", [*bind(doc, ("整体支出",)), *unit_full],
                            zp.funds.full_year_budget, "全年预算数")
    unit_executed = [(s, b) for s, b in bind(doc, ("全年执行数", "全年决算数"))
                     if topic(s, b.at, _BUDGET_TOPICS) is None]
    yield from check_amount(ctx, r, "self_eval.funds.executed", unit_executed, zp.funds.executed, "全年执行数")
    income = list(statement(doc, _INCOME_NATURE))
    yield from check_amount(ctx, r, "self_eval.income_total_stated",
                            [(s, b) for s in income for b in parts_of(s, ("年度资金总额",))],
                            ctx.shown("self_eval.income_total_stated"), "按收入性质分的年度资金总额")
    for words, path, what in _INCOME_PARTS:
        yield from check_amount(ctx, r, path, [(s, b) for s in income for b in parts_of(s, words)],
                                ctx.value(path), f"按收入性质分的{what}")
    yield from check_amount(ctx, r, "self_eval.expenditure_total_stated",
                            [(s, b) for s in statement(doc, _SPENDING_NATURE) for b in parts_of(s, ("年度支出总额",))],
                            ctx.shown("self_eval.expenditure_total_stated"), "按支出性质分的年度支出总额")
    added = cents(zp.expenditure_project) - cents(ctx.shown("basic.projects_stated.budget"))
    for s, b in bind(doc, ("年中追加预算", "追加预算")):
        if topic(s, b.at, _BUDGET_TOPICS) == "项目支出":
            yield from check_sum(ctx, r, "self_eval.expenditure_project", s, stated=b.mention.value, table=added,
                                 children=2, span=b.mention.span, what="项目支出年中追加预算（= 全年 − 年初）")
    for s in doc.sentences():
        initial = [b for b in after_keyword(s, _INITIAL, stop=CLAUSE) if topic(s, b.at, _BUDGET_TOPICS) is None]
        general = after_keyword(s, ("一般公共预算拨款", "一般公共预算财政拨款"), stop=CLAUSE)
        if not initial or not general:
            continue
        others = after_keyword(s, ("政府性基金预算拨款", "政府性基金拨款", "非税收入拨款", "其他资金", "其他收入"),
                               stop=CLAUSE)
        expected = cents(zp.funds.initial_budget) - sum((b.mention.value for b in others), Decimal(0))
        yield from check_sum(ctx, r, "self_eval.funds.initial_budget", s, stated=general[0].mention.value,
                             table=expected, children=1 + len(others), span=general[0].mention.span,
                             what="年初一般公共预算拨款（= 年初预算数 − 其他来源）")


#: the parts of the 按收入性质分 statement X-009 checks (keywords, cell, what): 政府性基金 is X-007's
_INCOME_PARTS = (
    (("一般公共预算拨款", "一般公共预算财政拨款", "一般公共预算"), "self_eval.income_general_public", "一般公共预算"),
    (("纳入财政专户管理的非税收入拨款", "纳入专户管理的非税收入拨款", "纳入财政专户管理的非税收入",
      "纳入专户管理的非税收入", "非税收入拨款", "非税收入"), "self_eval.income_special_non_tax",
     "纳入专户管理的非税收入"),
    (("其他资金", "其他收入"), "self_eval.income_other", "其他资金"),
)


# ---------------------------------------------------------------------------


_THREE_PARTS = (
    (("公务接待费", "公务接待"), "reception"),
    (("公务用车购置费", "公车购置费", "公车购置"), "vehicle_purchase"),
    (("公务用车运行费", "公务用车运行维护费", "公车运行维护费", "公车运行维护"), "vehicle_operation"),
    (("因公出国(境)费", "因公出国（境）费", "出国经费", "出国费"), "overseas"),
)
#: the keywords of a 三公经费 实际支出 figure (X-004)
_THREE_SPENT = ("经费支出", "经费实际支出", "经费决算数")
_NO_THREE = re.compile(r"无[“\"'‘]?三公[”\"'’]?经费支出")


@rule("X-004", ERR, "报告正文的“三公”经费预算数、其中各项和实际支出应与附件1-1 一致", _AMOUNT_TEMPLATE)
@reported
def text_three_public(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-004, in sentences about “三公”经费 (each figure at 0.01 万元): its 预算数 = 附件1-1 三公经费
    本年预算数 (shown); each 其中 part of a 预算 sentence (公务接待费, 公务用车购置费, 公务用车运行费, 因公出国（境）费)
    = that row's 本年预算数; ``无“三公”经费支出`` or a 三公经费支出 / 实际支出 figure = 本年决算数; each 其中 part of
    a sentence without 预算 that states the 实际支出 (``“三公”经费实际支出0.00万元，其中：…公务接待费0.00万元``) = that
    row's 本年决算数."""
    bd = ctx.report.basic
    for s in doc.sentences():
        if "三公" not in s.norm:
            continue
        budget_sentence = "预算" in s.norm
        for b in after_keyword(s, ("经费预算数", "经费预算", "预算数"), stop=CLAUSE):
            if "三公" in s.norm[:b.at] and budget_sentence:
                table = ctx.shown("basic.three_public_stated.budget")
                if not ctx.same_amount(b.mention.value, table):
                    yield emit(ctx, r, "basic.three_public_stated.budget", s, stated=stated_amount(b.mention),
                               computed=amount_text(table), span=b.mention.span, what="“三公”经费预算数")
                break
        spent_sentence = not budget_sentence and any(w in s.norm for w in _THREE_SPENT)
        if (budget_sentence or spent_sentence) and "其中" in s.norm:
            column, label = ("budget", "预算数") if budget_sentence else ("actual", "实际支出")
            for words, field in _THREE_PARTS:
                for b in after_keyword(s, words, stop=CLAUSE)[:1]:
                    table = getattr(getattr(bd, field), column)
                    if not ctx.same_amount(b.mention.value, table):
                        yield emit(ctx, r, f"basic.{field}.{column}", s, stated=stated_amount(b.mention),
                                   computed=amount_text(table), span=b.mention.span, what=b.keyword + label)
        actual = ctx.shown("basic.three_public_stated.actual")
        no_spend = _NO_THREE.search(s.norm)
        if no_spend is not None and not ctx.same_amount(Decimal(0), actual):
            yield emit(ctx, r, "basic.three_public_stated.actual", s, stated="0.00万元（无“三公”经费支出）",
                       computed=amount_text(actual), span=no_spend.span(), what="“三公”经费支出")
        for b in after_keyword(s, _THREE_SPENT, stop=CLAUSE)[:1]:
            if "三公" in s.norm[max(0, b.at - 6):b.at] and not ctx.same_amount(b.mention.value, actual):
                yield emit(ctx, r, "basic.three_public_stated.actual", s, stated=stated_amount(b.mention),
                           computed=amount_text(actual), span=b.mention.span, what="“三公”经费支出")


@rule("X-007", ERR, "报告正文的政府性基金（收入与支出）应与附件1-2 政府性基金拨款一致", _AMOUNT_TEMPLATE,
      rounding=_ROUNDING_TEMPLATE)
@reported
def text_gov_fund(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-007: 实际政府性基金预算支出, and the 政府性基金 part of the 按收入性质分 statement
    (``年度资金总额…，其中：…政府性基金104.81万元``), = 附件1-2 政府性基金拨款 at 0.01 万元; 年初 + 年中追加
    政府性基金预算支出 (a sum of two parts) = the same cell within 3 × 0.005 万元 as rounding (INFO; wave2 §4).
    (Which projects the fund financed is not in the tables: not checked.)"""
    table = ctx.report.self_eval.income_gov_fund
    nature = [(s, b) for s in statement(doc, _INCOME_NATURE)
              for b in parts_of(s, ("政府性基金预算拨款", "政府性基金拨款", "政府性基金"))]
    yield from check_amount(ctx, r, "self_eval.income_gov_fund", nature, table, "按收入性质分的政府性基金")
    for s in doc.sentences():
        if "政府性基金" not in s.norm:
            continue
        actual = after_keyword(s, ("实际政府性基金预算支出", "政府性基金预算实际支出", "政府性基金实际支出"),
                               stop=CLAUSE)
        initial = after_keyword(s, ("年初政府性基金预算支出",), stop=CLAUSE)
        added = after_keyword(s, ("年中追加政府性基金预算支出", "追加政府性基金预算支出"), stop=CLAUSE)
        for b in actual[:1]:
            if not ctx.same_amount(b.mention.value, table):
                yield emit(ctx, r, "self_eval.income_gov_fund", s, stated=stated_amount(b.mention),
                           computed=amount_text(table), span=b.mention.span, what="实际政府性基金预算支出")
        if added:
            total = added[0].mention.value + (initial[0].mention.value if initial else Decimal(0))
            yield from check_sum(ctx, r, "self_eval.income_gov_fund", s, stated=total, table=table,
                                 children=1 + len(initial[:1]), span=added[0].mention.span,
                                 what="年初与年中追加政府性基金预算支出合计")


# --------------------------------------------------------------------------- X-005 project names


_NAME_BREAK = re.compile(r"(?:[，,、；;：:。（）()\s]|其中|包括|主要是|分别是|分别为|涉及|以及|和|及)")
#: conjunctions that end a name unless a project's own name holds them (乡村振兴及人居环境整治经费)
_SOFT_BREAKS = ("以及", "和", "及")
_NEW_PROJECT = re.compile(r"新增([^，,。、；;]{4,30}?(?:专项|项目))")
_SUFFIXES = ("经费", "费用", "专项", "项目", "资金", "支出", "费")
_BRACKETS = str.maketrans("", "", "()[]【】〔〕")
_NOT_NAMES = ("预算", "收入", "人员", "公用经费", "三公", "工资", "补贴", "奖金", "保险", "补助", "罚款", "政府性基金",
              "整体支出", "项目支出", "基本支出")


def name_key(text: str) -> str:
    """Width, spaces and a leading ordinal normalised, trailing 经费/费用/专项/费 … dropped; brackets kept."""
    key = plain_name(strip_ordinal(text)).casefold()
    changed = True
    while changed:
        changed = False
        for suffix in _SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix) + 2:
                key, changed = key[: -len(suffix)], True
    return key


@dataclass(frozen=True)
class NameMention:
    name: str
    sentence: Sentence
    amount: Decimal | None
    longer: str | None = None  # the name read across 和/及/以及 (城乡建设和管理专项经费), tried first
    generic: bool = False  # words of a budget line (_NOT_NAMES): matched only to a project of that very name
    span: tuple[int, int] | None = None  # the amount (or the name after 新增) in the sentence: what a quote shows


@dataclass(frozen=True)
class ProjectMatch:
    mention: NameMention
    project: ListedProject | None
    kind: str  # "same" | "brackets" | "near"


def _amount_names(s: Sentence) -> Iterator[NameMention]:
    for m in extract(s):
        if m.kind != AMOUNT:
            continue
        before = s.norm[:m.span[0]].rstrip()
        breaks = [x for x in _NAME_BREAK.finditer(before) if not _inside_brackets(before, x.start())]
        cut = max((x.end() for x in breaks), default=0)
        hard = max((x.end() for x in breaks if x.group() not in _SOFT_BREAKS), default=0)
        name = s.text[cut:len(before)].strip()
        longer = s.text[hard:len(before)].strip() if hard < cut else None
        if 3 <= len(name) <= 30 and not re.search(r"\d", name):
            # 人员支出, 公用经费 …: not a project unless one is listed under exactly that name (医疗救助补助)
            yield NameMention(name, s, m.value, longer, generic=any(w in name for w in _NOT_NAMES), span=m.span)


def _inside_brackets(text: str, pos: int) -> bool:
    """Whether ``pos`` is inside an open （…） that reaches the end of ``text`` (专项（业务）费: keep the brackets)."""
    if text[pos] not in "()（）":
        return False
    opened = text.rfind("(", 0, len(text))
    closed = text.rfind(")", 0, len(text))
    return opened != -1 and (closed > opened and closed >= pos >= opened)


def project_mentions(ctx: Context, doc: ReportDocument) -> list[ProjectMatch]:
    """Every project name the text writes before an amount or after 新增, matched with the form's listed
    projects (memoised per run)."""
    from perfeval import forms

    def build() -> list[ProjectMatch]:
        projects = forms.get(ctx.layout.form).listed_projects(ctx.report)
        threshold = float(ctx.config.project_name_similarity * 100)
        out = []
        for s in doc.sentences():
            mentions = list(_amount_names(s))
            mentions += [NameMention(m.group(1), s, None, span=m.span(1)) for m in _NEW_PROJECT.finditer(s.text)]
            for nm in mentions:
                out.append(_match(nm, projects, threshold))
        return out

    found: list[ProjectMatch] = ctx.memo("report.project_mentions", build)
    return found


def _match(nm: NameMention, projects: Sequence[ListedProject], threshold: float) -> ProjectMatch:
    if nm.longer:  # a listed name with 和/及 in it, written in full: that project
        longer = NameMention(nm.longer, nm.sentence, nm.amount, span=nm.span)
        key = name_key(nm.longer)
        for p in projects:
            if name_key(p.name) == key:
                return ProjectMatch(longer, p, "same")
            if name_key(p.name).translate(_BRACKETS) == key.translate(_BRACKETS):
                return ProjectMatch(longer, p, "brackets")
    key = name_key(nm.name)
    loose = key.translate(_BRACKETS)
    best: tuple[float, ListedProject | None] = (0.0, None)
    for p in projects:
        pkey = name_key(p.name)
        if pkey == key:
            return ProjectMatch(nm, p, "same")
        if pkey.translate(_BRACKETS) == loose:
            return ProjectMatch(nm, p, "brackets")
        score = similarity(loose, pkey.translate(_BRACKETS))
        if score > best[0]:
            best = (score, p)
    score, p = best
    if nm.generic:
        return ProjectMatch(nm, None, "none")
    if p is not None and score >= threshold:
        return ProjectMatch(nm, p, "near")
    if p is not None and score >= 50 and nm.amount is not None:
        same_amount = [q for q in projects
                       if any(v is not None and money(v) == money(nm.amount)
                              for v in (q.actual, q.budget))]
        if same_amount == [p]:
            return ProjectMatch(nm, p, "near")
    return ProjectMatch(nm, None, "none")


@rule("X-005", WARN, "报告正文中的项目名称应与表中的项目名称一致（相近的名称提示核对，不自动改正）",
      "报告写作{stated}，表中为“{computed}”，可能是同一项目，请核对名称",
      brackets="报告写作{stated}，表中为“{computed}”，括号写法不同，建议统一")
@reported
def text_project_names(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-005: a project name the report writes before an amount (``污水处理业务费25.13万元``) or
    after 新增 is compared with the form's projects (附件1-1 rows; the project sheets) after normalising width,
    spaces, a leading ordinal and trailing 经费/费用/专项/费. Equal: nothing. Equal once brackets are dropped
    (``专项业务费`` vs ``专项（业务）经费``): INFO. At least ``project_name_similarity`` alike, or ≥ 50 % alike with
    the amount of exactly that project: WARNING naming both (鹤中 vs 鹤城). A name like none of them: nothing.
    One finding per project, listing every variant the text uses and how often."""
    groups: dict[str, list[ProjectMatch]] = {}
    for match in project_mentions(ctx, doc):
        if match.kind in ("near", "brackets") and match.project is not None:
            groups.setdefault(match.project.path or "", []).append(match)
    for path, matches in groups.items():
        if not path:
            continue
        counts: dict[str, int] = {}
        for m in matches:
            counts[m.mention.name] = counts.get(m.mention.name, 0) + 1
        stated = "、".join(f"“{n}”（{c}处）" if c > 1 else f"“{n}”" for n, c in counts.items())
        near = any(m.kind == "near" for m in matches)
        first = matches[0].mention.sentence
        project = matches[0].project
        name = strip_ordinal(project.name) if project is not None else ""
        yield emit(ctx, r, path, first, stated=stated, computed=name, span=matches[0].mention.span,
                   variant=None if near else "brackets", severity=None if near else INFO)


# ---------------------------------------------------------------------------


@rule("X-006", ERR, "报告正文的年初编报和年中追加项目个数应与附件1-1 的项目一致",
      "报告第{paragraph}段所写{what}{stated}，按附件1-1 应为{computed}")
@reported
def text_project_counts(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-006: 年初编报（绩效目标的）项目 N个 = 附件1-1 projects with a 本年预算数 > 0; 年中追加 M个 =
    projects with a 本年决算数 > 0 and no 本年预算数 (seed: 2 and 4; 6 projects spent in the year)."""
    projects = ctx.report.basic.projects
    initial = sum(1 for p in projects if nz(p.amounts.budget) > 0)
    added = sum(1 for p in projects if nz(p.amounts.actual) > 0 and nz(p.amounts.budget) == 0)
    for s, b in bind(doc, ("年初编报绩效目标的项目", "年初编报项目", "年初安排项目"), (COUNT,)):
        if b.mention.value != initial:
            yield emit(ctx, r, "basic.projects_stated.budget", s, stated=f"{b.mention.value}个",
                       computed=f"{initial}个", span=b.mention.span, what="年初编报的项目")
    for s, b in bind(doc, ("年中追加编报绩效目标", "年中追加编报", "年中追加项目"), (COUNT,)):
        if b.mention.value != added:
            yield emit(ctx, r, "basic.projects_stated.actual", s, stated=f"{b.mention.value}个",
                       computed=f"{added}个", span=b.mention.span, what="年中追加的项目")


_GRADES = {"优秀": "优", "优": "优", "良好": "良", "良": "良", "中等": "中", "合格": "中", "中": "中",
           "不合格": "差", "较差": "差", "差": "差"}
_GRADE = re.compile(r"(?:评价为|评定为|等级为|评价等级为|结果为|评为|等级：|等级:)[“\"]?"
                    r"(不合格|优秀|良好|中等|合格|较差|优|良|中|差)")


@rule("X-010", ERR, "报告正文的自评得分和等级应与附件1-2 总分一致",
      "报告第{paragraph}段所写{what}{stated}，与表中{caption}{computed}不一致")
@reported
def text_score(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-010: 实际得分 / 自评得分 / 总得分 / 自评总分 N分 = 附件1-2 总分（得分, as shown); the grade the
    text states (评价为优秀 …) = the grade of that 总分 (config.grade_bands). ``总评分为100分`` is the full mark,
    not the score: not read."""
    from perfeval.scoring import grade

    for table in ctx.tables:
        path = f"{table.prefix}.total_score_stated"
        total = ctx.shown(path)
        if total is None:
            continue
        for s, b in bind(doc, ("实际得分", "自评得分", "总得分", "自评总分", "综合得分", "最终得分"), (SCORE,)):
            if abs(b.mention.value - total) >= ctx.config.score_tolerance:
                yield emit(ctx, r, path, s, stated=f"{b.mention.value}分", computed=f"{ctx.num(total)}分",
                           span=b.mention.span, what="自评得分")
        plain = grade(total, ctx.config)
        capped = ctx.calc("calc.capped_total")
        for s in doc.sentences():
            m = _GRADE.search(s.norm)
            if m is None or not any(w in s.norm for w in ("等级", "评价", "评定", "评为")):
                continue
            # the draft's 封顶后总分…，等级为… states the grade of the capped 总分 (a profile's ceiling by 执行率)
            capped_total = capped if isinstance(capped, Decimal) else None
            at_cap = "封顶" in s.norm[:m.start()] and capped_total is not None
            expected, basis = (grade(capped_total, ctx.config), capped_total) \
                if at_cap and capped_total is not None else (plain, total)
            if expected is not None and _GRADES[m.group(1)] != expected:
                yield emit(ctx, r, path, s, stated=m.group(1), computed=f"{ctx.num(basis)}分 → {expected}",
                           span=m.span(), what="封顶后等级" if at_cap else "自评等级")
        break  # the department form has one 自评表; project workbooks: see text_project_scores


_STAFF_ACTUAL = ("在职在册人员", "在职人员", "在职人数", "实有人员", "实有人数", "实际在职", "在职职工")
_STAFF_AUTH = ("编制数", "核定编制", "核定事业编制", "核定行政编制")
_ALL_ESTABLISHED = re.compile(r"(?:全|均|全部)(?:为|是|系)[^，。；]{0,20}编制")


@rule("X-011", WARN, "报告正文的在职人数、编制数应与附件1-1 一致（在职人数超过编制数时不能“全为编制人员”）",
      "报告第{paragraph}段所写{what}{stated}，与表中{caption}{computed}不一致",
      all_established="报告第{paragraph}段称在职{stated}全为编制人员，但表中编制数为{computed}：超出编制的人员不可能都是编制人员")
@reported
def text_staff(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """Text half of X-011: 在职（在册）人员 N人 = 附件1-1 实际在职人数; 编制数 / 核定编制 N人 = 编制数; a sentence
    saying all N staff are 编制 staff (全为…编制人员) while N > 编制数 (seed: 40 人, 编制数 38)."""
    bd = ctx.report.basic
    for s, b in bind(doc, _STAFF_ACTUAL, (COUNT,)):
        n = b.mention.value
        if bd.staff_actual is not None and n != bd.staff_actual:
            yield emit(ctx, r, "basic.staff_actual", s, stated=f"{n}人", computed=f"{bd.staff_actual}人",
                       span=b.mention.span, what="在职人数")
        rest = s.norm[b.mention.span[1]:]
        if bd.staff_authorized is not None and n > bd.staff_authorized and _ALL_ESTABLISHED.search(rest):
            yield emit(ctx, r, "basic.staff_authorized", s, stated=f"{n}人", computed=f"{bd.staff_authorized}人",
                       span=b.mention.span, variant="all_established")
    for s, b in bind(doc, _STAFF_AUTH, (COUNT,)):
        if bd.staff_authorized is not None and b.mention.value != bd.staff_authorized:
            yield emit(ctx, r, "basic.staff_authorized", s, stated=f"{b.mention.value}人",
                       computed=f"{bd.staff_authorized}人", span=b.mention.span, what="编制数")


# --------------------------------------------------------------------------- TX-*


_CHANGE = ("较上年增加", "较上年减少", "较上年增长", "较上年下降", "比上年增加", "比上年减少", "同比增加", "同比减少",
           "同比增长", "同比下降")


def _changes(doc: ReportDocument, what: str) -> list[tuple[Sentence, Bound, Decimal]]:
    out = []
    for s, b in bind(doc, _CHANGE, topics=("收入", "支出"), want=what):
        sign = -1 if any(w in b.keyword for w in ("减少", "下降")) else 1
        out.append((s, b, sign * b.mention.value))
    return out


@rule("TX-001", WARN, "本年收入预算与支出预算相等时，报告所写收入较上年的变化应等于支出较上年的变化",
      "报告第{paragraph}段：收入较上年{stated}，而支出较上年{computed}（第{other}段）；年初收入预算与支出预算"
      "同为{budget}（表中年初预算数），两者的上年数不可能不同")
@reported
def text_changes(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """收入较上年增加/减少 X万元 and 支出较上年增加/减少 Y万元 must be equal when this year's 收入 and 支出 budgets
    are equal — always so in 附件1-2 (按收入性质分 = 按支出性质分); skipped when the text states two different 年初
    totals for 收入 and 支出. Reported at 附件1-2 年初预算数 (seed: 167.68 vs 167.88)."""
    income, spending = _changes(doc, "收入"), _changes(doc, "支出")
    if not income or not spending:
        return
    initial: dict[str | None, Decimal] = {}
    for s, b in bind(doc, _INITIAL):
        if topic(s, b.at, _BUDGET_TOPICS) is None:
            initial.setdefault(topic(s, b.at, ("收入", "支出")), b.mention.value)
    if "收入" in initial and "支出" in initial and money(initial["收入"]) != money(initial["支出"]):
        return
    (s1, b1, d1), (s2, b2, d2) = income[0], spending[0]
    if not ctx.same_amount(d1, d2):
        def said(b: Bound) -> str:
            return f"{b.keyword.removeprefix('较上年').removeprefix('比上年').removeprefix('同比')}" \
                   f"{fmt_amount(money(b.mention.value))}万元"

        yield emit(ctx, r, "self_eval.funds.initial_budget", s1, stated=said(b1), computed=said(b2),
                   span=b1.mention.span, other=s2.paragraph + 1,
                   budget=amount_text(ctx.report.self_eval.funds.initial_budget))


def _table_texts(ctx: Context) -> Iterator[tuple[str, str]]:
    """(model path, text) of the 自评表 texts a report may repeat: 年度总体目标 and the indicator rows."""
    for t in ctx.tables:
        for field in ("goal_actual", "goal_expected"):
            yield f"{t.prefix}.{field}", getattr(t.table, field) or ""
        for i1, i2, i3, _, _, row in t.table.rows():
            base = f"{t.prefix}.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
            for field in ("actual", "target", "deviation"):
                yield f"{base}.{field}", getattr(row, field) or ""


_DATE_AFTER = 8  # characters after a date that identify the event it dates


@rule("TX-003", WARN, "报告中的日期应与自评表中所写同一事项的日期一致",
      "报告第{paragraph}段写作{stated}，自评表{caption}中同一事项写作{computed}")
@reported
def text_dates(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """A full date of the report (年月, 年月日) whose event the 自评表 also dates: the same month/day and the same
    following words (the next 8 characters) but another year (seed: 宣贯培训 2022年3月9-10日 in the report,
    2023年3月9-10日 in the 自评表's 实际完成情况)."""
    texts = [(path, Sentence(text, -1, 0)) for path, text in _table_texts(ctx) if text.strip()]
    table_dates = [(path, m, ts.norm[m.span[1]:m.span[1] + _DATE_AFTER])
                   for path, ts in texts for m in extract(ts) if m.kind == DATE]
    for s in doc.sentences():
        for m in extract(s):
            if m.kind != DATE:
                continue
            after = s.norm[m.span[1]:m.span[1] + _DATE_AFTER]
            md = m.raw.split("年", 1)[1].replace(" ", "")
            for path, tm, tafter in table_dates:
                if tafter == after and tm.raw.split("年", 1)[1].replace(" ", "") == md and tm.value != m.value:
                    yield emit(ctx, r, path, s, stated=m.raw, computed=tm.raw, span=m.span)
                    break


_ALL_DONE = re.compile(r"(?:已|均已|已经)?(?:全部|全面|均)(?:完成|整改到位|整改完毕|办结)(?:整改)?")
_NOT_DONE = re.compile(r"剩余|尚未|仍有|未完成|正在|还有")
_SUBJECT = re.compile(r"([\u4e00-\u9fff]{2,8}?)\d+(?:\.\d+)?(?:处|个|项|件|户|条|家)")


@rule("TX-004", WARN, "报告中“全部完成”的事项不应在同一段又有“剩余/正在/尚未”",
      "报告第{paragraph}段称“{stated}”，同段又写“{computed}”，前后矛盾")
@reported
def text_contradictions(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """A clause saying something is 全部完成 (全部完成整改, 均已完成 …) whose subject — the last 2–8 characters
    before the count that precedes it (涉铁隐患20处) — appears again in the same paragraph in a clause with 剩余 /
    尚未 / 仍有 / 未完成 / 正在. Reported at the first 自评表's 实际完成情况."""
    if not ctx.tables:
        return
    path = f"{ctx.tables[0].prefix}.goal_actual"
    for p in doc.paragraphs:
        if p.kind != "p":
            continue
        for s in p.sentences():
            for done in _ALL_DONE.finditer(s.norm):
                window = max(0, done.start() - 40)
                subjects = list(_SUBJECT.finditer(s.norm[window:done.start()]))
                if not subjects:
                    continue
                subject = subjects[-1].group(1)[-4:]
                claim = s.text[window + subjects[-1].start():done.end()]
                for clause in re.split(r"[，,。；;]", p.text[s.start + done.end():]):
                    if subject in clause and _NOT_DONE.search(clause):
                        yield emit(ctx, r, path, s, stated=claim,
                                   computed=clause.strip(), span=done.span())
                        break


_PROCUREMENT_BUDGET = ("政府采购预算金额", "政府采购预算数", "政府采购预算")
_PROCUREMENT_ACTUAL = ("实际政府采购金额", "政府采购实际金额", "政府采购实际支出", "政府采购决算数", "实际政府采购")


@rule("TX-009", ERR, "报告正文的政府采购金额（预算、实际）应与附件1-1 政府采购金额一致", _AMOUNT_TEMPLATE)
@reported
def text_procurement(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """At 0.01 万元: 政府采购预算金额 = 附件1-1 政府采购金额 本年预算数; 实际政府采购金额 = 本年决算数 (the draft's
    ``2023年政府采购预算金额2.59万元，实际政府采购金额2.59万元``). rules.md §4.3 has no X code for 政府采购: a TX
    code of its own."""
    pr = ctx.report.basic.procurement
    yield from check_amount(ctx, r, "basic.procurement.budget", bind(doc, _PROCUREMENT_BUDGET), pr.budget,
                            "政府采购预算金额")
    yield from check_amount(ctx, r, "basic.procurement.actual", bind(doc, _PROCUREMENT_ACTUAL), pr.actual,
                            "实际政府采购金额")


@rule("TX-008", WARN, "报告中不应留有待填写的标记【请填写：…】",
      "报告第{paragraph}段仍有待填写的标记{stated}（共{count}处）：请写好后删除标记")
@reported
def text_placeholders(r: Rule, ctx: Context, doc: ReportDocument) -> Iterator[Finding]:
    """A 【请填写：…】 marker (the draft generator writes one where only a person can write) left in the report;
    one finding for all of them, at the first 自评表's 预算单位名称 / 项目名称."""
    if not ctx.tables:
        return
    found = [(s, m) for s in doc.sentences(tables=True) for m in PLACEHOLDER.finditer(s.text)]
    if found:
        s, m = found[0]
        t = ctx.tables[0]
        path = f"{t.prefix}.{t.required[0]}" if t.required else f"{t.prefix}.goal_actual"
        yield emit(ctx, r, path, s, stated=m.group(), computed="", span=m.span(), count=len(found))


#: the report rules of the department form (附件1-1 + 附件1-2)
DEPARTMENT_RULES: tuple[Rule, ...] = (text_basic, text_projects, text_public_funds, text_three_public,
                                      text_project_names, text_project_counts, text_gov_fund, text_initial,
                                      text_adjustment, text_score, text_staff, text_changes, text_dates,
                                      text_contradictions, text_placeholders, text_procurement)
#: the report rules that read only what every form has (project names, the 自评表 texts, markers)
COMMON_RULES: tuple[Rule, ...] = (text_project_names, text_dates, text_contradictions, text_placeholders)

__all__ = ["COMMON_RULES", "CONTEXT_KEY", "DEPARTMENT_RULES", "name_key", "project_mentions"]
