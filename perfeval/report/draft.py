"""The draft 自评报告 written from the tables: the outline as plain data (no Word here; :mod:`perfeval.docx.draft`
renders it).

Every figure comes from the tables: amounts as the table shows them (the typed value of a total row, else what
its formula computes; ``Decimal`` 万元, 2 decimals), rates and the 等级 as the 计算结果 sheet shows them. The
sentences copy the wording of published reports (the seed, ``examples/``): one figure per clause, its keyword
right before it (``年度资金总额781.06万元，其中：一般公共预算675.92万元，政府性基金104.81万元，其他资金0.33万元``),
so the report-text checks read the draft like a unit's own report. What only a person can write (duties,
problems, measures, reasons for a change) is a :class:`Placeholder`, rendered ``【请填写：…】``; so is a figure
the table leaves blank.

The department form (附件1-1 + 附件1-2) gives the 部门整体支出绩效自评报告; the project form gives one
项目支出绩效自评报告 per project sheet (:func:`build_outlines`). Nothing here imports a form pack's modules:
the report is reached through its fields and the pack's ``compute`` (the form protocol).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from perfeval.compute import Computed, Value
from perfeval.config import DEFAULT_CONFIG, Config
from perfeval.names import strip_ordinal
from perfeval.numbers import fmt_amount, fmt_number, fmt_rate, is_na_marker, normalise_text

#: how a marker for a person's text starts; the report checks warn while a report still holds one
PLACEHOLDER_OPEN = "【请填写："
PLACEHOLDER_CLOSE = "】"

CN_ORDINALS = "一二三四五六七八九十"


# --------------------------------------------------------------------------- the outline


@dataclass(frozen=True)
class Placeholder:
    """Text a person must write: ``what`` says what (rendered ``【请填写：what】``)."""

    what: str

    @property
    def text(self) -> str:
        return f"{PLACEHOLDER_OPEN}{self.what}{PLACEHOLDER_CLOSE}"


Segment = str | Placeholder


@dataclass(frozen=True)
class Title:
    """The document title, one entry per printed line (unit name, then ``2023年部门整体支出绩效自评报告``)."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    """``一、…`` (level 1) or ``（一）…`` (level 2)."""

    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    """Body text: plain strings and placeholders in reading order. ``quoted``: the text is copied verbatim from
    a table cell (年度总体目标, 偏差原因), not worded by the draft."""

    segments: tuple[Segment, ...]
    quoted: bool = False
    indent: bool = True  # first-line indent of two characters (the 附件 list at the end has none)

    @property
    def text(self) -> str:
        return "".join(s.text if isinstance(s, Placeholder) else s for s in self.segments)

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(s for s in self.segments if isinstance(s, Placeholder))


@dataclass(frozen=True)
class Table:
    """A table as rows of cell texts; the first row is the header."""

    rows: tuple[tuple[str, ...], ...]


Block = Title | Heading | Paragraph | Table


@dataclass(frozen=True)
class Outline:
    """One report: what :mod:`perfeval.docx.draft` renders."""

    kind: Literal["department", "project"]
    unit: str
    year: int
    blocks: tuple[Block, ...]
    name: str = ""  # the project's name (project form)

    @property
    def title(self) -> Title:
        return next(b for b in self.blocks if isinstance(b, Title))

    def placeholders(self) -> list[Placeholder]:
        return [p for b in self.blocks if isinstance(b, Paragraph) for p in b.placeholders]


def outline_text(outline: Outline, *, tables: bool = True, quoted: bool = True) -> list[str]:
    """The outline as plain text, one string per printed paragraph in reading order (title lines, headings,
    paragraphs; with ``tables`` each table row as its cells joined by a tab; without ``quoted`` the paragraphs
    copied verbatim from table cells are left out)."""
    out: list[str] = []
    for block in outline.blocks:
        if isinstance(block, Title):
            out.extend(block.lines)
        elif isinstance(block, Heading):
            out.append(block.text)
        elif isinstance(block, Paragraph):
            if quoted or not block.quoted:
                out.append(block.text)
        elif tables:
            out.extend("\t".join(row) for row in block.rows)
    return out


class DraftError(ValueError):
    """The report cannot be drafted; ``str()`` is a Chinese message."""


# --------------------------------------------------------------------------- figures as the tables show them


def shown(stated: Any, computed: Value) -> Decimal | None:
    """What a derived cell shows: the value typed into it, else what its formula computes (None: nothing)."""
    if isinstance(stated, Decimal):
        return stated
    if isinstance(computed, Decimal):
        return computed
    return None


def amount(value: Decimal | None) -> str:
    """An amount as the table prints it: 2 decimals, ROUND_HALF_UP (``1`` → ``1.00``)."""
    return fmt_amount(value)


def score(value: Decimal | None) -> str:
    return fmt_number(value)


class _Writer:
    """Accumulates blocks; ``fig`` words one figure (or a placeholder when the table leaves it blank)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.blocks: list[Block] = []

    def heading(self, level: int, text: str) -> None:
        self.blocks.append(Heading(level, text))

    def para(self, *segments: Segment | Iterable[Segment], quoted: bool = False, indent: bool = True) -> None:
        flat: list[Segment] = []
        for s in segments:
            if isinstance(s, str | Placeholder):
                flat.append(s)
            else:
                flat.extend(s)
        merged: list[Segment] = []
        for s in flat:
            if isinstance(s, str) and merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + s
            elif s != "":
                merged.append(s)
        self.blocks.append(Paragraph(tuple(merged), quoted=quoted, indent=indent))

    def money(self, keyword: str, value: Decimal | None, where: str) -> list[Segment]:
        """``keyword781.06万元``; blank in the table → ``keyword`` + a placeholder naming the cell."""
        if value is None:
            return [keyword, Placeholder(f"{where}（表中未填写，请先补填表格）")]
        return [f"{keyword}{amount(value)}万元"]

    def rate(self, value: Value) -> str | None:
        return fmt_rate(value, self.config.rate_display_decimals) if isinstance(value, Decimal) else None


def _join(clauses: Sequence[Sequence[Segment]], sep: str = "，") -> list[Segment]:
    out: list[Segment] = []
    for i, clause in enumerate(clauses):
        if i:
            out.append(sep)
        out.extend(clause)
    return out


def _before_figure(name: str) -> str:
    """A name followed by its amount: a colon between them when the name ends in a digit (``项目2：5.00万元``),
    so the name's digits never run into the figure."""
    return f"{name}：" if name[-1:].isdigit() or name[-1:] in ".．" else name


def _unit_or_placeholder(unit: str) -> Segment:
    return unit if unit else Placeholder("单位名称")


# --------------------------------------------------------------------------- the 自评表 part (both forms)


def _applicable(row: Any) -> bool:
    """A 三级 row the report speaks of: not an empty or "无" row without 分值 and 得分."""
    name = normalise_text(row.name or "")
    if row.weight is not None or row.score is not None:
        return True
    return bool(name) and not is_na_marker(name)


def _indicator_section(w: _Writer, table: Any, computed: Computed, prefix: str, *, first: int) -> None:
    """（n）各项绩效指标完成情况: one paragraph per applicable 三级 row, then the table of all of them."""
    w.heading(2, f"（{CN_ORDINALS[first]}）各项绩效指标完成情况")
    f = table.funds
    rate = w.rate(computed.get(f"{prefix}.funds.execution_rate_stated"))
    funds_score = shown(f.score_stated, computed.get(f"{prefix}.funds.score_stated"))
    w.para("预算资金执行情况：", _join([
        ["预算执行率" + (rate if rate is not None else "—")],
        [f"分值{score(f.weight)}分"] if f.weight is not None else ["分值", Placeholder("预算执行率分值（表中未填写）")],
        [f"得分{score(funds_score)}分"] if funds_score is not None else ["得分", Placeholder("预算执行率得分")],
    ]), "。")
    rows = [("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分")]
    n = 0
    for _i1, _i2, _i3, l1, l2, row in table.rows():
        if not _applicable(row):
            continue
        n += 1
        name = row.name.strip().rstrip("。；;，,") or "（未填写名称）"
        clauses: list[list[Segment]] = [
            [f"{n}.{name}（{l1.name}—{l2.name}）：年度指标值{row.target.strip() or '未填写'}"],
            [f"实际完成值{row.actual.strip() or '未填写'}"],
            [f"分值{score(row.weight)}分"] if row.weight is not None else ["分值未填写"],
            [f"得分{score(row.score)}分"] if row.score is not None else ["得分未填写"],
        ]
        w.para(_join(clauses), "。")
        lost = row.weight is not None and row.score is not None and row.score < row.weight
        if row.deviation.strip():
            w.para("偏差原因分析及改进措施：", row.deviation.strip(), quoted=True)
        elif lost:
            w.para(Placeholder(f"“{name}”未得满分的原因及改进措施"))
        rows.append((l1.name, l2.name, name, row.target.strip(), row.actual.strip(),
                     score(row.weight) if row.weight is not None else "",
                     score(row.score) if row.score is not None else ""))
    if n == 0:
        w.para("附件1-2未填写适用的三级指标。", Placeholder("各项绩效指标的完成情况"))
    rows.append(("预算执行率", "", "", "", rate or "—", score(f.weight) if f.weight is not None else "",
                 score(funds_score) if funds_score is not None else ""))
    total_weight = shown(table.total_weight_stated, computed.get(f"{prefix}.total_weight_stated"))
    total_score = shown(table.total_score_stated, computed.get(f"{prefix}.total_score_stated"))
    rows.append(("总分", "", "", "", "", score(total_weight), score(total_score)))
    w.blocks.append(Table(tuple(rows)))


def _conclusion(w: _Writer, table: Any, computed: Computed, prefix: str, what: str, year: int) -> None:
    """总评分 / 实际得分 / 等级, worded as the seed: ``总评分为100分，实际得分98分，2023年度…评价等级为优。`` The
    等级 is the band of the 总分 the table shows (the same as 计算结果's when the 总分 is left to its formula)."""
    from perfeval.scoring import grade as band

    total_weight = shown(table.total_weight_stated, computed.get(f"{prefix}.total_weight_stated"))
    total_score = shown(table.total_score_stated, computed.get(f"{prefix}.total_score_stated"))
    grade = band(total_score, w.config)
    grade_text: list[Segment] = [str(grade)] if isinstance(grade, str) and grade else [Placeholder("评价等级")]
    w.para(f"根据{what}绩效评价指标，经认真自评，总评分为{score(total_weight)}分，实际得分{score(total_score)}分，"
           f"{year}年度{what}绩效评价等级为", grade_text, "。")


def _goals(w: _Writer, table: Any, first: int) -> None:
    w.heading(2, f"（{CN_ORDINALS[first]}）年度总体目标完成情况")
    expected = [line.strip() for line in (table.goal_expected or "").splitlines() if line.strip()]
    actual = [line.strip() for line in (table.goal_actual or "").splitlines() if line.strip()]
    if expected:
        w.para("年度总体目标（预期目标）：", expected[0], quoted=True)
        for line in expected[1:]:
            w.para(line, quoted=True)
    else:
        w.para("年度总体目标（预期目标）：", Placeholder("年度总体目标（附件1-2未填写）"))
    if actual:
        w.para("实际完成情况：", actual[0], quoted=True)
        for line in actual[1:]:
            w.para(line, quoted=True)
    else:
        w.para("实际完成情况：", Placeholder("年度总体目标的实际完成情况（附件1-2未填写）"))


def _closing(w: _Writer, first: int, what: str) -> None:
    w.heading(1, f"{CN_ORDINALS[first]}、存在的问题及原因")
    w.para(Placeholder(f"{what}存在的问题及原因分析（如预算编制、执行管理、绩效目标设定、绩效管理力量等方面）"))
    w.heading(1, f"{CN_ORDINALS[first + 1]}、下一步改进措施")
    w.para(Placeholder("针对上述问题的下一步改进措施"))


# --------------------------------------------------------------------------- department form


def _current_projects(projects: Iterable[Any]) -> list[Any]:
    """附件1-1 project rows with a 本年决算数 above 0 (the projects of the 评价年度's spending)."""
    return [p for p in projects if p.name.strip() and p.amounts.actual is not None and p.amounts.actual > 0]


def department_outline(report: Any, computed: Computed, config: Config = DEFAULT_CONFIG) -> Outline:
    """The 部门整体支出绩效自评报告 of a department-form report (``computed`` is its pack's ``compute``)."""
    bd, zp, year = report.basic, report.self_eval, int(report.year)
    unit = (bd.unit_name or zp.unit_name or "").strip()
    u = _unit_or_placeholder(unit)
    w = _Writer(config)
    w.blocks.append(Title((unit or "【请填写：单位名称】", f"{year}年部门整体支出绩效自评报告")))

    # 一、部门概况
    w.heading(1, "一、部门概况")
    w.heading(2, "（一）机构设置情况")
    w.para(Placeholder("单位的机构设置情况（隶属关系、机构级别、单位性质、内设机构）"))
    w.heading(2, "（二）人员编制情况")
    staff: list[list[Segment]] = [
        [f"{year}年度", u, (f"编制数为{bd.staff_authorized}人" if bd.staff_authorized is not None
                            else "编制数为"), *([] if bd.staff_authorized is not None
                                               else [Placeholder("编制数（附件1-1未填写）")])],
        [f"实际在职人数为{bd.staff_actual}人"] if bd.staff_actual is not None
        else ["实际在职人数为", Placeholder("实际在职人数（附件1-1未填写）")],
    ]
    control = w.rate(computed.get("basic.staff_control_rate_stated"))
    if control is not None:
        staff.append([f"人员控制率{control}"])
    w.para(_join(staff), "。", Placeholder("人员构成（编制类别、离退休人员等）"))
    w.heading(2, "（三）主要职能职责")
    w.para(Placeholder("单位的主要职能职责（可按“1.负责……”逐条列出）"))
    w.heading(2, "（四）绩效目标设定情况")
    current = _current_projects(bd.projects)
    # as X-006 counts them: 年初 = rows with a 本年预算数 above 0; 年中追加 = spent in the year without one
    initial = sum(1 for p in bd.projects if (p.amounts.budget or 0) > 0)
    added = sum(1 for p in bd.projects if (p.amounts.actual or 0) > 0 and not (p.amounts.budget or 0))
    projects_actual = shown(bd.projects_stated.actual, computed.get("basic.projects_stated.actual"))
    w.para(f"按照预算绩效管理工作的要求，{year}年我单位", _join([
        w.money("整体支出全年预算数", zp.funds.full_year_budget, "附件1-2 年度资金总额 全年预算数"),
        ["全部实行整体支出绩效目标管理"],
    ]), "。", [*_join([[f"年初编报绩效目标的项目{initial}个"],
                       [f"年中追加编报绩效目标{added}个"],
                       w.money("涉及项目支出", projects_actual, "附件1-1 项目支出 本年决算数"),
                       ["全部实行项目支出绩效目标管理"]]), "。"] if current else "本年度无项目支出。")

    # 二、部门整体支出管理及使用情况
    w.heading(1, "二、部门整体支出管理及使用情况")
    w.heading(2, "（一）收入情况")
    f = zp.funds
    execution = w.rate(computed.get("self_eval.funds.execution_rate_stated"))
    w.para(f"{year}年", _join([
        w.money("年初预算数", f.initial_budget, "附件1-2 年度资金总额 年初预算数"),
        w.money("全年预算数", f.full_year_budget, "附件1-2 年度资金总额 全年预算数"),
        w.money("全年执行数", f.executed, "附件1-2 年度资金总额 全年执行数"),
        *([[f"预算执行率{execution}"]] if execution is not None else []),
    ]), "。")
    income_total = shown(zp.income_total_stated, computed.get("self_eval.income_total_stated"))
    parts = [(k, v) for k, v in (("一般公共预算", zp.income_general_public), ("政府性基金", zp.income_gov_fund),
                                 ("纳入专户管理的非税收入", zp.income_special_non_tax), ("其他资金", zp.income_other))
             if v is not None]
    w.para("按收入性质分，", w.money("年度资金总额", income_total, "附件1-2 按收入性质分"),
           (["，其中：", *_join([[f"{k}{amount(v)}万元"] for k, v in parts])] if parts else []), "。")
    w.para(Placeholder("收入与上年相比的增减情况及主要原因"))

    w.heading(2, "（二）支出情况")
    expenditure_total = shown(zp.expenditure_total_stated, computed.get("self_eval.expenditure_total_stated"))
    w.para("按支出性质分，", _join([
        w.money("年度支出总额", expenditure_total, "附件1-2 按支出性质分"),
        ["其中：", *w.money("基本支出", zp.expenditure_basic, "附件1-2 基本支出")],
        w.money("项目支出", zp.expenditure_project, "附件1-2 项目支出"),
    ]), "。", Placeholder("支出与上年相比的增减情况及主要原因"))
    adj = bd.basic_adjustment
    w.para(f"1.基本支出情况。{year}年基本支出", _join([
        w.money("年初预算数为", adj.budget, "附件1-1 部门基本支出预算调整 本年预算数"),
        w.money("全年预算数", adj.actual, "附件1-1 部门基本支出预算调整 本年决算数"),
        w.money("实际支出", adj.actual, "附件1-1 部门基本支出预算调整 本年决算数"),
    ]), "。", Placeholder("基本支出的主要构成（基本工资、津贴补贴、奖金、绩效工资、社会保障缴费等金额）"))
    projects_budget = shown(bd.projects_stated.budget, computed.get("basic.projects_stated.budget"))
    listed = [[f"{_before_figure(strip_ordinal(p.name))}{amount(p.amounts.actual)}万元"] for p in current]
    w.para(f"2.项目支出情况。{year}年项目支出", _join([
        w.money("年初预算数为", projects_budget, "附件1-1 项目支出 本年预算数"),
        w.money("实际支出", projects_actual, "附件1-1 项目支出 本年决算数"),
    ]), ("，其中：" if listed else ""), _join(listed), "。", Placeholder("年中追加预算的原因"))

    w.heading(2, "（三）“三公”经费使用和管理情况")
    tp_budget = shown(bd.three_public_stated.budget, computed.get("basic.three_public_stated.budget"))
    tp_actual = shown(bd.three_public_stated.actual, computed.get("basic.three_public_stated.actual"))
    items = (("因公出国（境）费", bd.overseas), ("公务用车购置费", bd.vehicle_purchase),
             ("公务用车运行维护费", bd.vehicle_operation), ("公务接待费", bd.reception))

    def three_public(column: str) -> list[Segment]:
        present = [[f"{label}{amount(getattr(row, column))}万元"] for label, row in items
                   if getattr(row, column) is not None]
        return (["，其中：", *_join(present)] if present else [])

    w.para(f"{year}年", u, "“三公”经费", w.money("预算数为", tp_budget, "附件1-1 三公经费 本年预算数"),
           three_public("budget"), "。")
    control = w.rate(computed.get("calc.three_public_control"))
    w.para(f"{year}年“三公”经费", w.money("实际支出", tp_actual, "附件1-1 三公经费 本年决算数"),
           three_public("actual"), (f"；“三公”经费控制率{control}" if control is not None else ""), "。")
    # no figure of the previous year here: a "三公经费…决算数" sentence reads as the 评价年度's (X-004)
    w.para(Placeholder(f"“三公”经费与上年相比的增减情况及原因（{year - 1}年决算数见附件1-1）"))

    w.heading(2, "（四）公用经费使用情况")
    pf = bd.public_funds
    control = w.rate(computed.get("calc.public_funds_control"))
    w.para(f"{year}年公用经费", _join([
        w.money("预算数", pf.budget, "附件1-1 公用经费 本年预算数"),
        w.money("实际支出", pf.actual, "附件1-1 公用经费 本年决算数"),
        *([[f"公用经费控制率{control}"]] if control is not None else []),
    ]), "。")
    for label, row in (("办公费", bd.office), ("水费、电费、差旅费", bd.utilities_travel),
                       ("会议费、培训费", bd.meetings_training)):
        clauses = [[f"{label}预算数{amount(row.budget)}万元"]] if row.budget is not None else []
        if row.actual is not None:
            clauses.append([f"{'' if clauses else label}实际支出{amount(row.actual)}万元"])
        if clauses:
            w.para("其中：" if label == "办公费" else "", _join(clauses), "。")

    w.heading(2, "（五）政府采购情况")
    pr = bd.procurement
    procurement_rate = w.rate(computed.get("calc.procurement_rate"))
    w.para(f"{year}年", _join([
        w.money("政府采购预算金额", pr.budget, "附件1-1 政府采购金额 本年预算数"),
        w.money("实际政府采购金额", pr.actual, "附件1-1 政府采购金额 本年决算数"),
        *([[f"政府采购执行率{procurement_rate}"]] if procurement_rate is not None else []),
    ]), "。")

    # 三、绩效目标实现情况
    w.heading(1, "三、绩效目标实现情况")
    w.heading(2, "（一）综合评价结论")
    _conclusion(w, zp, computed, "self_eval", "部门整体支出", year)
    capped = computed.get("calc.capped_total")
    total_score = shown(zp.total_score_stated, computed.get("self_eval.total_score_stated"))
    if isinstance(capped, Decimal) and capped != total_score:
        capped_grade = computed.get("calc.capped_grade") or "—"
        w.para(f"按评分口径的执行率封顶规定，封顶后总分{score(capped)}分，等级为{capped_grade}。")
    w.para(Placeholder("综合评价情况（预算编制、执行、管理、信息公开、内部控制等方面）"))
    _goals(w, zp, 1)
    _indicator_section(w, zp, computed, "self_eval", first=2)

    _closing(w, 3, "部门整体支出")
    w.para("报告包括以下附件：1.部门整体支出绩效评价基础数据表；2.部门整体支出绩效自评表。", indent=True)
    return Outline(kind="department", unit=unit, year=year, blocks=tuple(w.blocks))


# --------------------------------------------------------------------------- project form


def project_outline(book: Any, index: int, computed: Computed, config: Config = DEFAULT_CONFIG) -> Outline:
    """The 项目支出绩效自评报告 of the project sheet ``index`` of a project-form workbook."""
    table, year = book.projects[index], int(book.year)
    prefix = f"projects[{index}]"
    name = table.name.strip()
    unit = (table.implementer or "").strip()
    w = _Writer(config)
    w.blocks.append(Title((name or "【请填写：项目名称】", f"{year}年项目支出绩效自评报告")))

    w.heading(1, "一、项目基本情况")
    w.para(_join([
        ["项目名称：", name or Placeholder("项目名称（项目表未填写）")],
        ["主管部门：", table.department.strip() or Placeholder("主管部门（项目表未填写）")],
        ["实施单位：", unit or Placeholder("实施单位（项目表未填写）")],
    ], "；"), "。")
    w.para(Placeholder("项目立项依据、主要内容和绩效目标设定情况"))

    w.heading(1, "二、项目资金使用情况")
    f = table.funds
    execution = w.rate(computed.get(f"{prefix}.funds.execution_rate_stated"))
    w.para(f"{year}年", _join([
        w.money("年初预算数", f.initial_budget, "项目表 年度资金总额 年初预算数"),
        w.money("全年预算数", f.full_year_budget, "项目表 年度资金总额 全年预算数"),
        w.money("全年执行数", f.executed, "项目表 年度资金总额 全年执行数"),
        *([[f"预算执行率{execution}"]] if execution is not None else []),
    ]), "。")
    for key, label in (("funds_current", "当年财政拨款"), ("funds_carryover", "上年结转资金"),
                       ("funds_other", "其他资金")):
        part = getattr(table, key)
        clauses = [[f"{kw}{amount(v)}万元"] for kw, v in (("年初预算数", part.initial_budget),
                                                          ("全年预算数", part.full_year_budget),
                                                          ("全年执行数", part.executed)) if v is not None]
        if clauses:
            w.para(f"其中{label}", _join(clauses), "。")
    w.para(Placeholder("资金管理和使用情况（拨付、支出、财务管理制度执行）"))

    w.heading(1, "三、绩效目标实现情况")
    w.heading(2, "（一）综合评价结论")
    _conclusion(w, table, computed, prefix, "项目支出", year)
    _goals(w, table, 1)
    _indicator_section(w, table, computed, prefix, first=2)
    _closing(w, 3, "项目")
    w.para("报告包括以下附件：项目支出绩效自评表。")
    return Outline(kind="project", unit=unit, year=year, blocks=tuple(w.blocks), name=name)


# --------------------------------------------------------------------------- entry points


def build_outlines(report: Any, config: Config = DEFAULT_CONFIG, computed: Computed | None = None) -> list[Outline]:
    """The draft report(s) of ``report``: one for the department form, one per project sheet for the project form.
    ``computed``: the pack's ``compute`` of ``report`` under ``config`` (computed here when not given)."""
    from perfeval import forms

    pack = forms.for_report(report)
    computed = computed if computed is not None else pack.compute(report, config)
    if pack.name == "department":
        return [department_outline(report, computed, config)]
    if pack.name == "project":
        return [project_outline(report, i, computed, config) for i in range(len(report.projects))]
    raise DraftError(f"暂不能为“{pack.title}”生成自评报告草稿（支持：部门整体支出绩效自评表、项目支出绩效自评表）")


def build_outline(report: Any, config: Config = DEFAULT_CONFIG, computed: Computed | None = None) -> Outline:
    """The draft of a department-form report (the first outline of :func:`build_outlines` otherwise)."""
    return build_outlines(report, config, computed)[0]


__all__ = ["PLACEHOLDER_CLOSE", "PLACEHOLDER_OPEN", "Block", "DraftError", "Heading", "Outline", "Paragraph",
           "Placeholder", "Segment", "Table", "Title", "build_outline", "build_outlines", "department_outline",
           "outline_text", "project_outline", "shown"]
