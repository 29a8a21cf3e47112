"""Project pack layout: one 项目支出绩效自评表 sheet per project (MOF 2020 layout, rules.md §3.3) and the 计算结果
items, as data.

Each sheet has columns A–I like 附件1-2 and shares its 年度总体目标 / 绩效指标 / 总分 blocks
(:func:`perfeval.layout.goal_block`, :func:`~perfeval.layout.indicator_block`, :func:`~perfeval.layout.total_row`)::

    1   项目支出绩效自评表
    2   （2023年度）
    3   项目名称 | <name>
    4   主管部门 | <department>
    5   实施单位 | <implementer>
    6   项目资金（万元） |  | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分
    7                   | 年度资金总额       | … | … | … | 10 | =E/D | =F×min(E/D,1)
    8                   | 其中：当年财政拨款 | … | … | … | —  | =E/D | —
    9                   | 上年结转资金       | … | … | … | —  | =E/D | —
    10                  | 其他资金           | … | … | … | —  | =E/D | —
    11  年度总体目标 | 预期目标 | 实际完成情况          (texts merged over ``goal_rows`` rows)
    …   绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 | 偏差原因分析及改进措施
    …   总分

Model paths start with ``projects[i]`` (the i-th sheet). The sheet names are part of the :class:`Shape`: a new
workbook names each sheet after its project (:func:`sheet_names`); a workbook read back keeps the names it has
(XM-004 warns when one no longer matches its 项目名称).
"""

from __future__ import annotations

import functools
import re

from pydantic import BaseModel, ConfigDict, Field

from perfeval import a1
from perfeval.forms.project.model import FUNDS_COLUMNS, FUNDS_PARTS, ProjectBook
from perfeval.forms.project.titles import TITLE
from perfeval.layout import (
    MAX_ROW_HEIGHT,
    NA_TEXT,
    Builder,
    Cell,
    Layout,
    Role,
    SheetLayout,
    VType,
    execution_score_formula,
    goal_block,
    height_needed,
    indicator_block,
    rate_formula,
    total_row,
)
from perfeval.limits import MAX_BOOK_INDICATOR_ROWS, MAX_PROJECT_SHEETS, LimitError, check_shape
from perfeval.sheets import AUXILIARY_SHEETS, CALC_SHEET

FORM_NAME = "project"

COLUMNS = {"A": 6.0, "B": 12.0, "C": 10.0, "D": 18.0, "E": 12.0, "F": 12.0, "G": 9.0, "H": 7.5, "I": 18.0}
GOAL_WIDTH = min(sum(COLUMNS[c] for c in "BCDE"), sum(COLUMNS[c] for c in "FGHI"))

TITLE_ROW, YEAR_ROW = 1, 2
HEADER_ROWS = (("name", "项目名称", 3), ("department", "主管部门", 4), ("implementer", "实施单位", 5))
FUNDS_HEAD, FUNDS_TOTAL = 6, 7
PART_ROWS = {key: FUNDS_TOTAL + 1 + k for k, (key, _, _) in enumerate(FUNDS_PARTS)}  # 8, 9, 10
GOAL_HEAD = 11
#: Column of each amount of 项目资金, and of 分值 / 执行率 / 得分.
AMOUNT_COLS = dict(zip((key for key, _ in FUNDS_COLUMNS), "CDE", strict=True))
WEIGHT_COL, RATE_COL, SCORE_COL = "F", "G", "H"
#: Column-A labels the reader locates the blocks by.
ANCHORS = ("项目名称", "主管部门", "实施单位", "项目资金（万元）", "年度总体目标", "绩效指标", "总分")


def year_label(year: int) -> str:
    return f"（{year}年度）"


class SheetShape(BaseModel):
    """One project sheet: its name and its repeating rows."""

    model_config = ConfigDict(frozen=True)
    name: str = Field(min_length=1, max_length=31)
    # one entry per 一级: number of 三级 rows of each 二级, in order
    indicator_rows: tuple[tuple[int, ...], ...]
    goal_rows: int = Field(default=1, ge=1, description="rows merged for the 年度总体目标 texts")

    def __hash__(self) -> int:  # layouts are cached by shape (the frozen model's own hash, spelt out for pyright)
        return hash((self.name, self.indicator_rows, self.goal_rows))


class Shape(BaseModel):
    """What varies between workbooks: the 评价年度 and the project sheets."""

    model_config = ConfigDict(frozen=True)
    year: int
    sheets: tuple[SheetShape, ...] = Field(min_length=1)

    def __hash__(self) -> int:  # layouts are cached by shape (the frozen model's own hash, spelt out for pyright)
        return hash((self.year, self.sheets))

    @classmethod
    def of(cls, book: ProjectBook) -> Shape:
        names = sheet_names([p.name for p in book.projects])
        sheets = []
        for name, table in zip(names, book.projects, strict=True):
            need = max(height_needed(table.goal_expected, GOAL_WIDTH), height_needed(table.goal_actual, GOAL_WIDTH))
            sheets.append(SheetShape(
                name=name,
                indicator_rows=tuple(tuple(len(l2.rows) for l2 in l1.secondaries) for l1 in table.indicators),
                goal_rows=max(1, -(-int(need) // int(MAX_ROW_HEIGHT))),
            ))
        return cls(year=book.year, sheets=tuple(sheets))


# --------------------------------------------------------------------------- sheet names

#: Characters Excel refuses in a sheet name, and what a name shows instead (their full-width forms).
_SHEET_NAME_SUBST = str.maketrans({"[": "［", "]": "］", ":": "：", "*": "＊", "?": "？", "/": "／", "\\": "＼"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_SPACES = re.compile(r"\s+")
MAX_SHEET_NAME = 31
#: Names Excel or this tool keeps for itself (compared case-insensitively, as Excel does).
RESERVED_SHEET_NAMES = frozenset(n.casefold() for n in (*AUXILIARY_SHEETS, "History"))


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units (how Excel counts the 31 characters of a name)."""
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text.rstrip().rstrip("'").rstrip() if text else text


def safe_sheet_name(name: str) -> str:
    """A project name as a sheet name may hold it: no ``[]:*?/\\`` (their full-width forms instead), no control
    characters, whitespace collapsed, no leading or trailing apostrophe, at most 31 characters. "" when nothing
    is left."""
    text = _CONTROL.sub(" ", name).translate(_SHEET_NAME_SUBST)
    text = _SPACES.sub(" ", text).strip().strip("'").strip()
    return _clip(text, MAX_SHEET_NAME)


def sheet_names(project_names: list[str]) -> list[str]:
    """One sheet name per project, in order: :func:`safe_sheet_name` of its name (``项目1``, ``项目2`` … for a
    blank one, by position), made unique case-insensitively with a suffix ``(2)``, ``(3)`` … and never one of the
    names the tool or Excel keeps (计算结果, 校验结果 …, History)."""
    used: set[str] = set(RESERVED_SHEET_NAMES)
    out: list[str] = []
    for i, name in enumerate(project_names):
        base = safe_sheet_name(name) or f"项目{i + 1}"
        candidate, k = base, 1
        while candidate.casefold() in used:
            k += 1
            suffix = f"({k})"
            candidate = _clip(base, MAX_SHEET_NAME - len(suffix)) + suffix
        used.add(candidate.casefold())
        out.append(candidate)
    return out


# --------------------------------------------------------------------------- one project sheet


def sheet_rows(indicator_rows: tuple[tuple[int, ...], ...], goal_rows: int = 1) -> dict[str, int]:
    """Row numbers of a project sheet's blocks."""
    n = sum(sum(t) for t in indicator_rows)
    head = GOAL_HEAD + 1 + goal_rows
    return {"goal_head": GOAL_HEAD, "goal": GOAL_HEAD + 1, "goal_last": head - 1, "ind_head": head,
            "ind_first": head + 1, "total": head + 1 + n}


def _sheet_layout(i: int, sheet: SheetShape, year: int) -> SheetLayout:
    b = Builder(sheet.name)
    prefix = f"projects[{i}]"
    rows = sheet_rows(sheet.indicator_rows, sheet.goal_rows)
    b.label(f"A{TITLE_ROW}", TITLE, merge=f"A{TITLE_ROW}:I{TITLE_ROW}", bold=True, size=16)
    b.label(f"A{YEAR_ROW}", year_label(year), merge=f"A{YEAR_ROW}:I{YEAR_ROW}")
    for key, text, r in HEADER_ROWS:
        b.label(f"A{r}", text, merge=f"A{r}:B{r}", anchor=True)
        b.input(f"C{r}", f"{prefix}.{key}", VType.TEXT, text, merge=f"C{r}:I{r}", align="left")

    r = FUNDS_HEAD
    b.label(f"A{r}", "项目资金（万元）", merge=f"A{r}:A{r + len(FUNDS_PARTS) + 1}", anchor=True)
    b.label(f"B{r}", "")
    for (_, text), col in zip(FUNDS_COLUMNS, AMOUNT_COLS.values(), strict=True):
        b.label(f"{col}{r}", text)
    b.label(f"{WEIGHT_COL}{r}", "分值")
    b.label(f"{RATE_COL}{r}", "执行率")
    b.label(f"{SCORE_COL}{r}", "得分", merge=f"{SCORE_COL}{r}:I{r}")

    r = FUNDS_TOTAL
    fp = f"{prefix}.funds"
    b.label(f"B{r}", "年度资金总额")
    for (key, text), col in zip(FUNDS_COLUMNS, AMOUNT_COLS.values(), strict=True):
        b.input(f"{col}{r}", f"{fp}.{key}", VType.AMOUNT, f"年度资金总额（{text}）")
    _, d, e = AMOUNT_COLS.values()
    b.input(f"{WEIGHT_COL}{r}", f"{fp}.weight", VType.SCORE, "年度资金总额（分值）")
    b.derived(f"{RATE_COL}{r}", f"{fp}.execution_rate_stated", f"{fp}.execution_rate_stated",
              rate_formula(f"{e}{r}", f"{d}{r}"), VType.RATE, "年度资金总额（执行率）")
    b.derived(f"{SCORE_COL}{r}", f"{fp}.score_stated", f"{fp}.score_stated",
              execution_score_formula(f"{e}{r}", f"{d}{r}", f"{WEIGHT_COL}{r}"), VType.SCORE, "年度资金总额（得分）",
              merge=f"{SCORE_COL}{r}:I{r}")
    for key, label, caption in FUNDS_PARTS:
        r = PART_ROWS[key]
        pp = f"{prefix}.{key}"
        b.label(f"B{r}", label, align="left")
        for (col_key, text), col in zip(FUNDS_COLUMNS, AMOUNT_COLS.values(), strict=True):
            b.input(f"{col}{r}", f"{pp}.{col_key}", VType.AMOUNT, f"{caption}（{text}）")
        b.label(f"{WEIGHT_COL}{r}", NA_TEXT)
        b.derived(f"{RATE_COL}{r}", f"{pp}.execution_rate_stated", f"{pp}.execution_rate_stated",
                  rate_formula(f"{e}{r}", f"{d}{r}"), VType.RATE, f"{caption}（执行率）")
        b.label(f"{SCORE_COL}{r}", NA_TEXT, merge=f"{SCORE_COL}{r}:I{r}")

    goal_block(b, rows["goal_head"], rows["goal_last"], prefix)
    indicator_block(b, rows["ind_head"], prefix, sheet.indicator_rows)
    total_row(b, rows["total"], rows["ind_first"], prefix, weight=f"{WEIGHT_COL}{FUNDS_TOTAL}",
              score=f"{SCORE_COL}{FUNDS_TOTAL}")

    heights = {TITLE_ROW: 30.0, FUNDS_HEAD: 30.0, PART_ROWS["funds_current"]: 30.0, rows["ind_head"]: 45.0}
    heights.update({row: 60.0 for row in range(rows["goal"], rows["goal_last"] + 1)})
    return SheetLayout(
        name=sheet.name,
        columns=COLUMNS,
        row_heights=heights,
        last_row=rows["total"],
        last_col="I",
        table_top=HEADER_ROWS[0][2],
        table_bottom=rows["total"],
        print_title_rows=f"{TITLE_ROW}:{YEAR_ROW}",
        cells=tuple(b.cells),
    )


# --------------------------------------------------------------------------- 计算结果

#: The per-project items of 计算结果: (calc key suffix, header, value type).
SUMMARY_ITEMS: tuple[tuple[str, str, VType], ...] = (
    ("name", "项目名称", VType.TEXT),
    ("total_score", "总分", VType.SCORE),
    ("grade", "等级", VType.TEXT),
    ("renormalised_total", "按适用指标折算的总分", VType.SCORE),
    ("parts.initial_budget", "其中各项合计（年初预算数）", VType.AMOUNT),
    ("parts.full_year_budget", "其中各项合计（全年预算数）", VType.AMOUNT),
    ("parts.executed", "其中各项合计（全年执行数）", VType.AMOUNT),
)
CALC_COLUMNS = "ABCDEFG"


def _calc_layout(shape: Shape) -> SheetLayout:
    b = Builder(CALC_SHEET)
    b.label("A1", "计算结果（供核对参考，不属于上报表格）", merge="A1:G1", bold=True, size=14)
    b.label("A2", "评分口径", align="left")
    b.cells.append(Cell(sheet=CALC_SHEET, address="B2", role=Role.DERIVED, calc_key="calc.profile", vtype=VType.TEXT,
                        caption="评分口径", merge="B2:G2", align="left"))  # engine only, written by 计算
    b.label("A3", "各项目汇总（其中各项合计应等于年度资金总额；等级：优 ≥90，良 ≥80，中 ≥60，差 <60）", merge="A3:G3",
            align="left")
    for col, (_, text, _) in zip(CALC_COLUMNS, SUMMARY_ITEMS, strict=True):
        b.label(f"{col}4", text, bold=True)
    row = 5
    for i, sheet in enumerate(shape.sheets):
        def ref(addr: str, name: str = sheet.name) -> str:
            return a1.ref(name, addr)

        tot = sheet_rows(sheet.indicator_rows, sheet.goal_rows)["total"]
        name_cell, total_cell = ref(f"C{HEADER_ROWS[0][2]}"), ref(f"H{tot}")
        formulas: dict[str, str | None] = {
            "name": f'=IF({name_cell}="","",{name_cell})',
            "total_score": f"=N({total_cell})",
            "grade": f'=IF({total_cell}="","{NA_TEXT}",IF(N({total_cell})>=90,"优",'
                     f'IF(N({total_cell})>=80,"良",IF(N({total_cell})>=60,"中","差"))))',
            "renormalised_total": None,
        }
        for key, col in AMOUNT_COLS.items():
            formulas[f"parts.{key}"] = "=" + "+".join(f"N({ref(f'{col}{r}')})" for r in PART_ROWS.values())
        for col, (key, text, vtype) in zip(CALC_COLUMNS, SUMMARY_ITEMS, strict=True):
            calc_key = f"calc.projects[{i}].{key}"
            formula = formulas[key]
            if formula is None:  # engine-only value, written by 计算
                b.cells.append(Cell(sheet=CALC_SHEET, address=f"{col}{row}", role=Role.DERIVED, calc_key=calc_key,
                                    vtype=vtype, caption=text))
            else:
                b.derived(f"{col}{row}", None, calc_key, formula, vtype, text, align="left" if col == "A" else "center")
        row += 1
    row += 1
    b.label(f"A{row}", "三级指标建议得分（引擎按正向/反向/定性规则计算，仅供参考）", merge=f"A{row}:G{row}", bold=True,
            align="left")
    row += 1
    for col, text in zip("ABCDEF", ("三级指标", "分值", "填报得分", "建议得分", "计分方式", "计算说明"), strict=True):
        b.label(f"{col}{row}", text, bold=True, merge=f"F{row}:G{row}" if col == "F" else None)
    row += 1
    for i, sheet in enumerate(shape.sheets):
        b.label(f"A{row}", sheet.name, merge=f"A{row}:G{row}", bold=True, align="left")
        row += 1
        zrow = sheet_rows(sheet.indicator_rows, sheet.goal_rows)["ind_first"]
        for i1, l2_rows in enumerate(sheet.indicator_rows):
            for i2, n2 in enumerate(l2_rows):
                for i3 in range(n2):
                    key = f"calc.projects[{i}].indicators[{i1}].secondaries[{i2}].rows[{i3}]"
                    for col, src, sub, vtype in (("A", "D", "name", VType.TEXT), ("B", "G", "weight", VType.SCORE),
                                                 ("C", "H", "score", VType.SCORE)):
                        cell = a1.ref(sheet.name, f"{src}{zrow}")
                        b.derived(f"{col}{row}", None, f"{key}.{sub}", f'=IF({cell}="","",{cell})', vtype,
                                  {"name": "三级指标", "weight": "分值", "score": "填报得分"}[sub],
                                  align="left" if col == "A" else "center")
                    for col, sub, vtype in (("D", "suggested", VType.SCORE), ("E", "direction", VType.TEXT),
                                            ("F", "explanation", VType.TEXT)):
                        b.cells.append(Cell(sheet=CALC_SHEET, address=f"{col}{row}", role=Role.DERIVED,
                                            calc_key=f"{key}.{sub}", vtype=vtype, caption=sub,
                                            merge=f"F{row}:G{row}" if col == "F" else None,
                                            align="left" if col == "F" else "center"))
                    row += 1
                    zrow += 1
    return SheetLayout(
        name=CALC_SHEET,
        columns={"A": 34.0, "B": 10.0, "C": 10.0, "D": 12.0, "E": 12.0, "F": 30.0, "G": 18.0},
        last_row=row - 1,
        last_col="G",
        table_top=4,
        table_bottom=row - 1,
        cells=tuple(b.cells),
    )


# --------------------------------------------------------------------------- the workbook


def check_book_shape(n_sheets: int, rows_per_sheet: list[int]) -> None:
    """Refuse a workbook larger than the largest supported one (Chinese :class:`LimitError`)."""
    if n_sheets > MAX_PROJECT_SHEETS:
        raise LimitError(f"项目支出绩效自评表共 {n_sheets} 张，超过本工具支持的上限 {MAX_PROJECT_SHEETS} 张"
                         "（请分成几个工作簿）")
    for n in rows_per_sheet:
        check_shape(0, n)
    total = sum(rows_per_sheet)
    if total > MAX_BOOK_INDICATOR_ROWS:
        raise LimitError(f"各项目表的三级指标共 {total} 行，超过本工具支持的上限 {MAX_BOOK_INDICATOR_ROWS} 行"
                         "（请分成几个工作簿）")


def build_layout(shape: Shape) -> Layout:
    """Every cell for ``shape``; raises :class:`~perfeval.limits.LimitError` above the largest workbook supported.

    A layout is immutable, so workbooks of one shape share it (``perfeval collect`` reads thousands), and a project
    sheet of the same name, place and rows is shared between shapes. Only shapes of a usual size are kept
    (:data:`CACHED_SHEETS`, :data:`CACHED_ROWS`): the memory the caches hold stays small whatever is read."""
    rows = [sum(sum(t) for t in s.indicator_rows) for s in shape.sheets]
    check_book_shape(len(shape.sheets), rows)
    names = [s.name for s in shape.sheets]
    folded = [n.casefold() for n in names]
    if len(set(folded)) != len(folded) or RESERVED_SHEET_NAMES & set(folded):
        raise ValueError(f"sheet names must be unique and not reserved: {names}")
    if len(shape.sheets) <= CACHED_SHEETS and sum(rows) <= CACHED_BOOK_ROWS:
        return _cached_layout(shape)
    return _assemble(shape)


#: Layouts of at most this many sheets and 三级 rows in all are cached, and sheets of at most this many 三级 rows
#: (about 2,500 and 700 cells, 4 MB and 1 MB at most).
CACHED_SHEETS, CACHED_BOOK_ROWS, CACHED_ROWS = 10, 200, 100


def _assemble(shape: Shape) -> Layout:
    sheets = {s.name: (_cached_sheet if sum(sum(t) for t in s.indicator_rows) <= CACHED_ROWS else _sheet_layout)(
        i, s, shape.year) for i, s in enumerate(shape.sheets)}
    sheets[CALC_SHEET] = _calc_layout(shape)
    return Layout(form=FORM_NAME, year=shape.year, shape=shape, sheets=sheets,
                  official=tuple(s.name for s in shape.sheets))


_cached_layout = functools.lru_cache(maxsize=16)(_assemble)
_cached_sheet = functools.lru_cache(maxsize=64)(_sheet_layout)


def layout_for(book: ProjectBook) -> Layout:
    check_book_shape(len(book.projects), [len(t.rows()) for t in book.projects])
    return build_layout(Shape.of(book))


__all__ = ["AMOUNT_COLS", "ANCHORS", "FORM_NAME", "FUNDS_HEAD", "FUNDS_TOTAL", "GOAL_HEAD", "HEADER_ROWS",
           "MAX_BOOK_INDICATOR_ROWS", "MAX_PROJECT_SHEETS", "PART_ROWS", "RESERVED_SHEET_NAMES", "SUMMARY_ITEMS",
           "TITLE", "YEAR_ROW", "Shape", "SheetShape", "build_layout", "check_book_shape", "layout_for",
           "safe_sheet_name", "sheet_names", "sheet_rows", "year_label"]
