"""XM-*: the checks only the 项目支出绩效自评表 has, and X-005, the project sheets against 附件1-1's 项目支出 rows.

Everything a 自评表 shares — 执行率 and its 得分 (ZP-004/005), Σ分值 = 100 (ZP-009), the qualitative bands
(ZP-016), 偏差原因 when points are lost (ZP-012), 得分 ≤ 分值 (ZP-011), required cells (ZP-019: 项目名称, 主管部门,
实施单位 included) … — is :mod:`perfeval.rules.table`, run on every project sheet through
:meth:`~perfeval.forms.base.FormPack.indicator_tables`. Here:

* XM-001…003: the 其中 lines of 项目资金 (their sum, their 执行率, execution within budget);
* XM-004/005: the sheets of one workbook (sheet name vs 项目名称, a project on two sheets);
* XM-006: 指标性质 / 度量单位 fields against the 年度指标值 text that prints them;
* XM-007 (reader): a sheet printing another 评价年度;
* X-005 (cross-form, ``validate --with 部门表.xlsx``): each project's 全年执行数 / 预算数 against its 附件1-1 row,
  and a project present on one side only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from perfeval.findings import Finding, Severity
from perfeval.forms.base import ListedProject
from perfeval.forms.project.layout import HEADER_ROWS, safe_sheet_name, sheet_names
from perfeval.forms.project.model import FUNDS_COLUMNS, FUNDS_PARTS, indicator_fields
from perfeval.forms.project.reading import YEAR_CODE
from perfeval.indicators import explicit_comparator, normalise_text
from perfeval.layout import VType
from perfeval.names import project_key, similarity
from perfeval.numbers import money, money_sum
from perfeval.rules.base import Context, Rule, RuleInfo, nz, rule, text_blank

ERR, WARN = Severity.ERROR, Severity.WARNING

_PART_CAPTIONS = {key: caption for key, _, caption in FUNDS_PARTS}


# --------------------------------------------------------------------------- 项目资金 其中 lines


@rule("XM-001", ERR, "项目资金：当年财政拨款 + 上年结转资金 + 其他资金 = 年度资金总额（年初预算数、全年预算数、"
                     "全年执行数各列）",
      "{column}：当年财政拨款 + 上年结转资金 + 其他资金 = {parts} = {computed}，与年度资金总额{stated}不一致")
def parts_sum(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Each 其中 amount as printed, blank counting as 0 (a split left blank does not add up). A blank 年度资金总额
    is ZP-019's finding, not this one."""
    for i, table in enumerate(ctx.report.projects):
        for column, header in FUNDS_COLUMNS:
            total = getattr(table.funds, column)
            if total is None:
                continue
            values = [getattr(part, column) for _, part in table.parts()]
            expected = money_sum(values)
            if not ctx.same_amount(total, expected):
                yield ctx.finding(r, f"projects[{i}].funds.{column}", stated=ctx.amt(total), computed=ctx.amt(expected),
                                  column=header, parts=" + ".join(ctx.amt(v) for v in values))


@rule("XM-002", ERR, "其中各项的执行率 = 全年执行数 / 全年预算数（全年预算数为0时填“—”）",
      "{caption}填报为{stated}，按 全年执行数/全年预算数 = {executed}/{budget} 计算应为{computed}")
def part_rates(r: Rule, ctx: Context) -> Iterator[Finding]:
    for i, table in enumerate(ctx.report.projects):
        for key, part in table.parts():
            path = f"projects[{i}].{key}.execution_rate_stated"
            stated, computed = ctx.value(path), ctx.calc(path)
            if not ctx.agrees(stated, computed, VType.RATE):
                yield ctx.finding(r, path, stated=ctx.show(stated, path), computed=ctx.show(computed, path),
                                  executed=ctx.amt(part.executed), budget=ctx.amt(part.full_year_budget))


@rule("XM-003", ERR, "其中各项的全年执行数不得超过其全年预算数",
      "{name}全年执行数{stated}超过其全年预算数{computed}")
def part_over_budget(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Amounts compared as printed; a blank 全年预算数 counts as 0 (money spent that no budget line holds)."""
    for i, table in enumerate(ctx.report.projects):
        for key, part in table.parts():
            executed = money(part.executed)
            if executed is not None and executed - nz(money(part.full_year_budget)) >= ctx.config.amount_tolerance:
                yield ctx.finding(r, f"projects[{i}].{key}.executed", stated=ctx.amt(part.executed),
                                  computed=ctx.amt(part.full_year_budget), name=_PART_CAPTIONS[key])


# --------------------------------------------------------------------------- the sheets of one workbook


@rule("XM-004", WARN, "工作表名称应与该表的项目名称一致",
      "工作表名称“{sheet}”与项目名称“{stated}”不一致，建议把工作表改名为“{computed}”")
def sheet_name(r: Rule, ctx: Context) -> Iterator[Finding]:
    """The name a new workbook gives the sheet (:func:`~perfeval.forms.project.layout.sheet_names`: characters Excel
    refuses in their full-width form, at most 31 characters, a suffix "(2)" for a second sheet of the same name)
    is accepted, and so is any name that compares equal to the project name after normalising width, brackets
    and spaces. A blank 项目名称 is ZP-019's finding."""
    projects = ctx.report.projects
    expected = sheet_names([p.name for p in projects])
    for i, (table, sheet) in enumerate(zip(projects, ctx.layout.official, strict=True)):
        if text_blank(table.name):
            continue
        if sheet == expected[i] or project_key(sheet) == project_key(safe_sheet_name(table.name)):
            continue
        yield ctx.finding(r, f"projects[{i}].name", stated=table.name.strip(), computed=expected[i], sheet=sheet)


@rule("XM-005", ERR, "同一项目只应有一张项目支出绩效自评表（项目名称不得重复）",
      "项目名称“{stated}”与工作表“{other}”的项目重复：同一项目只应填一张自评表")
def duplicate_projects(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Names compared after normalising width, brackets, spaces and a leading row number; the second and later
    sheets of a name are reported, each naming the first."""
    first: dict[str, int] = {}
    for i, table in enumerate(ctx.report.projects):
        key = project_key(table.name)
        if not key:
            continue
        if key in first:
            yield ctx.finding(r, f"projects[{i}].name", stated=table.name.strip(),
                              other=ctx.layout.official[first[key]])
        else:
            first[key] = i


# --------------------------------------------------------------------------- 指标性质 / 度量单位


@rule("XM-006", WARN, "三级指标的指标性质、度量单位应与年度指标值中写明的一致",
      "“{name}”的{what}为“{stated}”，而年度指标值“{target}”写的是“{computed}”（打印的表格只显示年度指标值）")
def indicator_nature(r: Rule, ctx: Context) -> Iterator[Finding]:
    """The fields may name what the text leaves out (``90%`` with 指标性质 ≥, then scored as ≥; ZP-021 still asks
    to print it); they may not contradict what it says."""
    for i, table in enumerate(ctx.report.projects):
        for i1, i2, i3, _l1, _l2, row in table.rows():
            shown_comparator, shown_unit = indicator_fields(row.target)
            explicit = explicit_comparator(row.comparator)
            comparator = explicit.value if explicit is not None else row.comparator.strip()
            path = f"projects[{i}].indicators[{i1}].secondaries[{i2}].rows[{i3}].target"
            name = row.name.strip() or "（未命名）"
            if comparator and shown_comparator and comparator != shown_comparator:
                yield ctx.finding(r, path, stated=comparator, computed=shown_comparator, name=name, what="指标性质",
                                  target=row.target.strip())
            elif row.unit.strip() and shown_unit and normalise_text(row.unit) != shown_unit:
                yield ctx.finding(r, path, stated=row.unit.strip(), computed=shown_unit, name=name, what="度量单位",
                                  target=row.target.strip())


# --------------------------------------------------------------------------- against 附件1-1


@dataclass(frozen=True)
class Match:
    """Project sheet ``ours`` and listed project ``theirs`` taken for the same project (``score`` 100: same name)."""

    ours: int
    theirs: int
    score: float


def match_projects(ours: Sequence[str], theirs: Sequence[str],
                   threshold: float) -> tuple[list[Match], list[int], list[int]]:
    """Pair project names of two lists: equal :func:`~perfeval.names.project_key` first (in order), then the most
    similar remaining pairs with a similarity ≥ ``threshold`` (0–100). Returns the pairs and the indices left
    unpaired on each side; blank names take part in nothing."""
    keys_a = [project_key(n) for n in ours]
    keys_b = [project_key(n) for n in theirs]
    free_b = [j for j, k in enumerate(keys_b) if k]
    matches: list[Match] = []
    rest_a: list[int] = []
    for i, key in enumerate(keys_a):
        if not key:
            continue
        j = next((j for j in free_b if keys_b[j] == key), None)
        if j is None:
            rest_a.append(i)
        else:
            free_b.remove(j)
            matches.append(Match(i, j, 100.0))
    candidates = sorted(((similarity(keys_a[i], keys_b[j]), i, j) for i in rest_a for j in free_b),
                        key=lambda t: (-t[0], t[1], t[2]))
    for score, i, j in candidates:
        if score < threshold:
            break
        if i in rest_a and j in free_b:
            rest_a.remove(i)
            free_b.remove(j)
            matches.append(Match(i, j, score))
    return sorted(matches, key=lambda m: m.ours), rest_a, free_b


def _amount(value: Decimal | None) -> str:
    return "空" if value is None else f"{money(value):.2f}"


@rule("X-005", ERR, "项目支出绩效自评表与基础数据表（附件1-1）的项目逐一对应：名称一致（统一全半角、括号、空格后"
                    "比较），全年执行数 = 本年决算数，本年预算数 = 年初预算数或全年预算数",
      "项目“{name}”全年执行数{stated}与基础数据表“{other}”{year}年决算数{computed}不一致",
      budget="项目“{name}”在基础数据表“{other}”的{year}年预算数为{computed}，既不等于年初预算数{initial}，"
             "也不等于全年预算数{full}",
      missing="项目“{stated}”在基础数据表（附件1-1）的项目支出中找不到（名称已统一全半角、括号、空格后比较）",
      near="可能是同一项目：“{stated}” 与 基础数据表的 “{computed}”（相似度{ratio}%），两表的项目名称应一致",
      absent="基础数据表（附件1-1）列有{year}年有预算或决算的项目{names}，本工作簿中却没有对应的项目支出绩效自评表")
def listed_projects(r: Rule, ctx: Context) -> Iterator[Finding]:
    """Runs with ``validate --with``: ``ctx.extra["companion"]`` is (pack, report) of the other workbook, whose
    :meth:`~perfeval.forms.base.FormPack.listed_projects` are compared with the project sheets (nothing without it).

    Names are compared by :func:`perfeval.names.project_key` (width, brackets, spaces, a leading row number such
    as ``6.``); a remaining pair at least ``config.project_name_similarity`` alike (rapidfuzz ratio) is reported
    once as probably the same project (鹤城 vs 鹤中 is a real place-name difference: flagged, never corrected)
    and its amounts are compared like an exact pair. For each pair (once the project sheet's figure is typed: a blank
    one is ZP-019's finding): 全年执行数 must equal the listed 决算数
    (error); the listed 预算数 must equal the 年初预算数 **or** the 全年预算数 — rules.md X-002 reads 附件1-1's
    Y年预算数 as the 年初 figure (120.00 = 40 + 80 in the seed), issue 9 as the 全年预算数; either is accepted.
    A project sheet without a row → warning at its 项目名称; listed projects with 评价年度 figures (a row with only
    Y−1 figures is a closed project) without a sheet → one warning naming them, at the 项目名称 label of the
    first sheet."""
    companion = ctx.extra.get("companion")
    if companion is None:
        return
    pack, other_report = companion
    listed: list[ListedProject] = pack.listed_projects(other_report)
    projects = ctx.report.projects
    year = ctx.report.year
    threshold = float(ctx.config.project_name_similarity * 100)
    matches, ours_left, theirs_left = match_projects([p.name for p in projects], [p.name for p in listed],
                                                     threshold)
    for m in matches:
        table, item = projects[m.ours], listed[m.theirs]
        prefix, name, other = f"projects[{m.ours}]", table.name.strip(), item.name.strip()
        if m.score < 100:
            yield ctx.finding(r, f"{prefix}.name", stated=name, computed=other, variant="near", severity=WARN,
                              ratio=f"{m.score:.0f}")
        f = table.funds
        # a blank figure on the project sheet is ZP-019's finding; compared once typed
        if f.executed is not None and not ctx.same_amount(f.executed, item.actual):
            yield ctx.finding(r, f"{prefix}.funds.executed", stated=_amount(f.executed), computed=_amount(item.actual),
                              name=name, other=other, year=year)
        budget_known = f.initial_budget is not None or f.full_year_budget is not None
        if budget_known and not (ctx.same_amount(item.budget, f.initial_budget)
                                 or ctx.same_amount(item.budget, f.full_year_budget)):
            yield ctx.finding(r, f"{prefix}.funds.initial_budget", stated=_amount(f.initial_budget),
                              computed=_amount(item.budget), variant="budget", name=name, other=other, year=year,
                              initial=_amount(f.initial_budget), full=_amount(f.full_year_budget))
    for i in ours_left:
        yield ctx.finding(r, f"projects[{i}].name", stated=projects[i].name.strip(), variant="missing",
                          severity=WARN)
    absent = [listed[j] for j in theirs_left if listed[j].current]
    if absent:
        label = ctx.layout.cell_at(ctx.layout.official[0], f"A{HEADER_ROWS[0][2]}")
        assert label is not None
        names = "、".join(f"“{p.name.strip()}”" for p in absent)
        yield ctx.finding(r, label, stated=None, computed=None, variant="absent", severity=WARN, names=names,
                          year=year)


RULES: tuple[Rule, ...] = (parts_sum, part_rates, part_over_budget, sheet_name, duplicate_projects, indicator_nature)
CROSS_RULES: tuple[Rule, ...] = (listed_projects,)

#: Codes the project reader reports (they arrive as read issues).
READER_RULES: tuple[RuleInfo, ...] = (
    RuleInfo(code=YEAR_CODE, severity=Severity.ERROR, source="reader",
             title="各项目表的评价年度应一致（“（XXXX年度）”一行）",
             template="工作表“{sheet}”的评价年度为{printed}年，与第一张项目表的{year}年不一致",
             description="Detected by the project reader: the year row of every project sheet must print the "
                         "评价年度 of the first sheet."),
)

__all__ = ["CROSS_RULES", "READER_RULES", "RULES", "Match", "match_projects"]
