"""Template layout as data: the one source of truth for every cell address.

:func:`build_layout` turns a :class:`Shape` (how many 项目支出 rows, which 一级/二级 indicator groups with how
many 三级 rows) into a :class:`Layout`: every cell of the official sheets with its role (label, input,
derived, structure), value type, model path, native Excel formula, merged range and style hints. The
generator, the reader, the checker, the exporter and the add-in all look cells up here.

Model paths are dotted with list indices, e.g. ``basic.projects[3].amounts.budget`` or
``self_eval.indicators[0].secondaries[1].rows[0].score``; :mod:`perfeval.paths` gets and sets them.
Derived cells carry the path of the *stated* value (what the unit typed over the formula) and, in
``calc_key``, the key of the engine's computed value (:func:`perfeval.compute.compute`).
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from functools import cached_property
from typing import TypedDict, Unpack

from pydantic import BaseModel, ConfigDict, Field

from perfeval import textfit
from perfeval.limits import check_shape
from perfeval.model import Report

BD_SHEET = "附件1-1 基础数据表"
ZP_SHEET = "附件1-2 自评表"
CALC_SHEET = "计算结果"
META_SHEET = "_perfeval"
OFFICIAL_SHEETS = (BD_SHEET, ZP_SHEET)

BD_TITLE = "部门整体支出绩效评价基础数据表"
ZP_TITLE = "整体支出绩效自评表"
NA_TEXT = "—"


class Role(StrEnum):
    LABEL = "label"  # printed text of the form
    INPUT = "input"  # typed by the unit (unlocked, tinted)
    DERIVED = "derived"  # native formula; the unit may have typed over it (a stated value)
    STRUCTURE = "structure"  # data that shapes the form (一级/二级 names), written from the model, locked


class VType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    AMOUNT = "amount"  # 万元, 0.00
    COUNT = "count"  # 人
    AREA = "area"  # ㎡
    RATE = "rate"  # fraction shown as 0.00%
    SCORE = "score"  # 分
    DATE = "date"
    INDICATOR = "indicator"  # 年度指标值 / 实际完成值 text
    LEVEL1 = "level1"  # "产出指标（50分）": name + declared weight


NUMBER_FORMATS: dict[VType, str] = {
    VType.AMOUNT: "#,##0.00",
    VType.COUNT: "0",
    VType.AREA: "#,##0.00",
    VType.RATE: "0.00%",
    VType.SCORE: "0.##",
    VType.DATE: "yyyy\"年\"m\"月\"d\"日\"",
    VType.TEXT: "@",
    VType.LONG_TEXT: "@",
    VType.INDICATOR: "@",
}


#: On-screen tint by role (ARGB); the print set-up is black and white, the export removes them.
ROLE_FILLS: dict[Role, str] = {Role.INPUT: "FFFFF2CC", Role.DERIVED: "FFEDEDED"}


class Cell(BaseModel):
    """One cell of a sheet (the top-left cell when merged)."""

    model_config = ConfigDict(frozen=True)
    sheet: str
    address: str
    role: Role
    vtype: VType = VType.TEXT
    text: str | None = None  # LABEL text
    path: str | None = None  # model path (INPUT, STRUCTURE; stated value for DERIVED)
    formula: str | None = None  # DERIVED: native Excel formula, with "=" prefix
    calc_key: str | None = None  # DERIVED: key of the engine's computed value
    merge: str | None = None  # merged range, e.g. "B4:C4"
    align: str = "center"  # left / center / right
    bold: bool = False
    wrap: bool = True
    size: float | None = None  # font size override
    anchor: bool = False  # LABEL the reader uses to locate a block
    caption: str = ""  # human name used in messages, e.g. "项目支出（2023年预算数）"


class SheetLayout(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    columns: dict[str, float]  # letter → width
    row_heights: dict[int, float] = Field(default_factory=dict)
    last_row: int
    last_col: str
    table_top: int  # first row of the bordered table
    table_bottom: int  # last row of the bordered table
    print_title_rows: str | None = None
    cells: tuple[Cell, ...]


# Row heights: Excel caps one row at 409 pt, so a long 年度总体目标 text gets a block of merged rows.
MAX_ROW_HEIGHT = 400.0
# 附件1-1 E holds the 填报日期 (2024年6月6日), 附件1-2 G the 执行率 (100.00%): numbers show #### when too narrow
BD_COLUMNS = {"A": 36.0, "B": 11.0, "C": 11.0, "D": 11.0, "E": 13.0, "F": 11.0, "G": 11.0}
ZP_COLUMNS = {"A": 6.0, "B": 11.0, "C": 10.0, "D": 18.0, "E": 12.0, "F": 12.0, "G": 9.0, "H": 7.5, "I": 18.0}
GOAL_WIDTH = min(sum(ZP_COLUMNS[c] for c in "BCDE"), sum(ZP_COLUMNS[c] for c in "FGHI"))


def text_units(text: str) -> int:
    """Display width in half-width columns: full-width (CJK) characters count 2, others 1."""
    return textfit.display_width(text)


def lines_needed(text: str, width: float) -> int:
    """Lines a 10.5 pt text wraps to in a column (or merged range) ``width`` units wide (:mod:`perfeval.textfit`)."""
    return textfit.lines_needed(text, width)


def height_needed(text: str, width: float) -> float:
    """Row height (points) that shows a 10.5 pt text whole in ``width`` units (:mod:`perfeval.textfit`)."""
    return textfit.text_height(text, width)


class Shape(BaseModel):
    """What varies between workbooks: the repeating blocks."""

    model_config = ConfigDict(frozen=True)
    year: int
    n_projects: int = Field(ge=0)
    # one entry per 一级: number of 三级 rows of each 二级, in order
    indicator_rows: tuple[tuple[int, ...], ...]
    goal_rows: int = Field(default=1, ge=1, description="rows merged for the 年度总体目标 texts")

    @classmethod
    def of(cls, report: Report) -> Shape:
        zp = report.self_eval
        need = max(height_needed(zp.goal_expected, GOAL_WIDTH), height_needed(zp.goal_actual, GOAL_WIDTH))
        return cls(
            year=report.year,
            n_projects=len(report.basic.projects),
            indicator_rows=tuple(
                tuple(len(l2.rows) for l2 in l1.secondaries) for l1 in zp.indicators
            ),
            goal_rows=max(1, -(-int(need) // int(MAX_ROW_HEIGHT))),
        )


class Layout(BaseModel):
    model_config = ConfigDict(frozen=True)
    shape: Shape
    sheets: dict[str, SheetLayout]

    def cells(self) -> Iterator[Cell]:
        for sheet in self.sheets.values():
            yield from sheet.cells

    # Indexes built once per layout (a layout is immutable): looking cells up one by one stays linear.
    @cached_property
    def _path_index(self) -> dict[str, Cell]:
        return {c.path: c for c in self.cells() if c.path is not None}

    @cached_property
    def _address_index(self) -> dict[tuple[str, str], Cell]:
        return {(c.sheet, c.address): c for c in self.cells()}

    def by_path(self) -> dict[str, Cell]:
        return dict(self._path_index)

    def by_calc_key(self) -> dict[str, Cell]:
        return {c.calc_key: c for c in self.cells() if c.calc_key is not None and c.sheet != CALC_SHEET}

    def cell_at(self, sheet: str, address: str) -> Cell | None:
        return self._address_index.get((sheet, address))

    def find(self, path: str) -> Cell:
        return self._path_index[path]


def split_address(address: str) -> tuple[int, int]:
    """"B7" → (7, 2)."""
    letters = "".join(ch for ch in address if ch.isalpha())
    return int(address[len(letters):]), col_index(letters)


def merge_bounds(cell: Cell) -> tuple[int, int, int, int]:
    """(first row, first col, last row, last col) of the cell's merged range (itself when unmerged)."""
    first, last = (cell.merge or f"{cell.address}:{cell.address}").split(":")
    r1, c1 = split_address(first)
    r2, c2 = split_address(last)
    return r1, c1, r2, c2


def col_letter(index: int) -> str:
    """1 → A."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_index(letter: str) -> int:
    n = 0
    for ch in letter:
        n = n * 26 + ord(ch) - 64
    return n


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _rate_formula(num: str, den: str) -> str:
    """num/den, "—" when the denominator is 0 or blank or the numerator blank (as the engine)."""
    return f'=IF(OR(N({den})=0,{num}=""),"{NA_TEXT}",N({num})/N({den}))'


class _Style(TypedDict, total=False):
    """Style hints a :class:`_Builder` call may pass on to :class:`Cell`."""

    align: str
    bold: bool
    wrap: bool
    size: float | None
    anchor: bool


class _Builder:
    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.cells: list[Cell] = []

    def label(self, addr: str, text: str, merge: str | None = None, **kw: Unpack[_Style]) -> None:
        self.cells.append(Cell(sheet=self.sheet, address=addr, role=Role.LABEL, text=text, merge=merge, **kw))

    def input(self, addr: str, path: str, vtype: VType, caption: str, merge: str | None = None,
              **kw: Unpack[_Style]) -> None:
        self.cells.append(
            Cell(sheet=self.sheet, address=addr, role=Role.INPUT, path=path, vtype=vtype, merge=merge,
                 caption=caption, **kw)
        )

    def derived(self, addr: str, path: str | None, calc_key: str, formula: str, vtype: VType,
                caption: str, merge: str | None = None, **kw: Unpack[_Style]) -> None:
        self.cells.append(
            Cell(sheet=self.sheet, address=addr, role=Role.DERIVED, path=path, calc_key=calc_key,
                 formula=formula, vtype=vtype, merge=merge, caption=caption, **kw)
        )

    def structure(self, addr: str, path: str, vtype: VType, caption: str, merge: str | None = None,
                  **kw: Unpack[_Style]) -> None:
        self.cells.append(
            Cell(sheet=self.sheet, address=addr, role=Role.STRUCTURE, path=path, vtype=vtype, merge=merge,
                 caption=caption, **kw)
        )


# 经费控制情况 columns: three amount columns over a 7-column grid, each a merged pair.
AMOUNT_COLS = (("prev_actual", "B", "C"), ("budget", "D", "E"), ("actual", "F", "G"))


def amount_col_captions(year: int) -> dict[str, str]:
    return {"prev_actual": f"{year - 1}年决算数", "budget": f"{year}年预算数", "actual": f"{year}年决算数"}


# Fixed rows of 经费控制情况 before the project rows: (key, printed label, derived?)
BD_FIXED_TOP = (
    ("three_public_stated", "三公经费", "sum3"),
    ("vehicle_stated", "   1.公务用车购置和维护经费", "sum2"),
    ("vehicle_purchase", "       其中：公车购置", None),
    ("vehicle_operation", "             公车运行维护", None),
    ("overseas", "   2.出国经费", None),
    ("reception", "   3.公务接待", None),
)
BD_FIXED_BOTTOM = (
    ("public_funds", "公用经费"),
    ("office", "    其中：办公费"),
    ("utilities_travel", "          水费、电费、差旅费"),
    ("meetings_training", "          会议费、培训费"),
    ("procurement", "政府采购金额"),
    ("basic_adjustment", "部门基本支出预算调整"),
)
BD_ANCHORS = ("财政供养人员情况", "经费控制情况", "三公经费", "项目支出", "公用经费", "政府采购金额",
              "部门基本支出预算调整", "楼堂馆所控制情况", "厉行节约保障措施")


def bd_rows(n_projects: int) -> dict[str, int]:
    """Row numbers of 附件1-1's blocks for a given number of project rows."""
    rows = {"title": 2, "unit": 3, "staff_head": 4, "staff": 5, "money_head": 6}
    for i, (key, _, _) in enumerate(BD_FIXED_TOP):
        rows[key] = 7 + i
    rows["projects_stated"] = 13
    rows["first_project"] = 14
    r = 14 + n_projects
    for i, (key, _) in enumerate(BD_FIXED_BOTTOM):
        rows[key] = r + i
    r += len(BD_FIXED_BOTTOM)
    rows["building_head"] = r
    rows["building"] = r + 1
    rows["frugality"] = r + 2
    rows["footer"] = r + 4
    return rows


def _bd_layout(shape: Shape) -> SheetLayout:
    b = _Builder(BD_SHEET)
    y = shape.year
    rows = bd_rows(shape.n_projects)
    caps = amount_col_captions(y)
    b.label("A1", "附件1-1", align="left", wrap=False)
    b.label("A2", BD_TITLE, merge="A2:G2", bold=True, size=16)
    b.label("A3", "填报单位：", align="right")
    b.input("B3", "basic.unit_name", VType.TEXT, "填报单位", merge="B3:G3", align="left")

    r = rows["staff_head"]
    b.label(f"A{r}", "财政供养人员情况", merge=f"A{r}:A{r + 1}", anchor=True, bold=True)
    b.label(f"B{r}", "编制数", merge=f"B{r}:C{r}")
    b.label(f"D{r}", f"{y}年实际在职人数", merge=f"D{r}:E{r}")
    b.label(f"F{r}", "控制率", merge=f"F{r}:G{r}")
    r = rows["staff"]
    b.input(f"B{r}", "basic.staff_authorized", VType.COUNT, "编制数", merge=f"B{r}:C{r}")
    b.input(f"D{r}", "basic.staff_actual", VType.COUNT, f"{y}年实际在职人数", merge=f"D{r}:E{r}")
    b.derived(f"F{r}", "basic.staff_control_rate_stated", "basic.staff_control_rate_stated",
              _rate_formula(f"D{r}", f"B{r}"), VType.RATE, "控制率", merge=f"F{r}:G{r}")

    r = rows["money_head"]
    b.label(f"A{r}", "经费控制情况", anchor=True, bold=True)
    for key, c1, c2 in AMOUNT_COLS:
        b.label(f"{c1}{r}", caps[key], merge=f"{c1}{r}:{c2}{r}")

    def amount_row(row: int, base: str, label: str, caption: str, formula: dict[str, str] | None,
                   label_is_input: bool = False) -> None:
        if label_is_input:
            b.input(f"A{row}", f"{base}.name", VType.TEXT, f"第{row}行项目名称", align="left")
        else:
            b.label(f"A{row}", label, align="left", anchor=label.strip() in BD_ANCHORS)
        for key, c1, c2 in AMOUNT_COLS:
            cap = f"{caption}（{caps[key]}）"
            if formula is None:
                path = f"{base}.amounts.{key}" if label_is_input else f"{base}.{key}"
                b.input(f"{c1}{row}", path, VType.AMOUNT, cap, merge=f"{c1}{row}:{c2}{row}")
            else:
                path = f"{base}.{key}"
                b.derived(f"{c1}{row}", path, path, formula[c1], VType.AMOUNT, cap,
                          merge=f"{c1}{row}:{c2}{row}")

    for key, label, kind in BD_FIXED_TOP:
        row = rows[key]
        formula = None
        if kind == "sum3":
            v, o, rc = rows["vehicle_stated"], rows["overseas"], rows["reception"]
            formula = {c1: f"=N({c1}{v})+N({c1}{o})+N({c1}{rc})" for _, c1, _ in AMOUNT_COLS}
        elif kind == "sum2":
            p, op = rows["vehicle_purchase"], rows["vehicle_operation"]
            formula = {c1: f"=N({c1}{p})+N({c1}{op})" for _, c1, _ in AMOUNT_COLS}
        amount_row(row, f"basic.{key}", label, label.strip().split("：")[-1].lstrip("0123456789."),
                   formula)

    row = rows["projects_stated"]
    first, last = rows["first_project"], rows["first_project"] + shape.n_projects - 1
    if shape.n_projects:
        formula = {c1: f"=SUM({c1}{first}:{c1}{last})" for _, c1, _ in AMOUNT_COLS}
    else:
        formula = {c1: "=0" for _, c1, _ in AMOUNT_COLS}
    amount_row(row, "basic.projects_stated", "项目支出", "项目支出", formula)
    for i in range(shape.n_projects):
        amount_row(first + i, f"basic.projects[{i}]", "", f"项目{i + 1}", None, label_is_input=True)

    for key, label in BD_FIXED_BOTTOM:
        amount_row(rows[key], f"basic.{key}", label, label.strip().replace("其中：", ""), None)

    r = rows["building_head"]
    b.label(f"A{r}", "楼堂馆所控制情况", merge=f"A{r}:A{r + 1}", anchor=True, bold=True)
    for col, text in zip("BCDEFG", ("批复规模\n（㎡）", "实际规模（㎡）", "规模控制", "预算投资（万元）",
                                    "实际投资（万元）", "投资概算控制率"), strict=True):
        b.label(f"{col}{r}", text)
    r = rows["building"]
    bp = "basic.building"
    b.input(f"B{r}", f"{bp}.approved_area", VType.AREA, "批复规模（㎡）")
    b.input(f"C{r}", f"{bp}.actual_area", VType.AREA, "实际规模（㎡）")
    b.derived(f"D{r}", f"{bp}.area_control_stated", f"{bp}.area_control_stated",
              _rate_formula(f"C{r}", f"B{r}"), VType.RATE, "规模控制")
    b.input(f"E{r}", f"{bp}.budget_investment", VType.AMOUNT, "预算投资（万元）")
    b.input(f"F{r}", f"{bp}.actual_investment", VType.AMOUNT, "实际投资（万元）")
    b.derived(f"G{r}", f"{bp}.investment_control_stated", f"{bp}.investment_control_stated",
              _rate_formula(f"F{r}", f"E{r}"), VType.RATE, "投资概算控制率")
    r = rows["frugality"]
    b.label(f"A{r}", "厉行节约保障措施", anchor=True, bold=True)
    b.input(f"B{r}", "basic.frugality_measures", VType.LONG_TEXT, "厉行节约保障措施", merge=f"B{r}:G{r}",
            align="left")
    r = rows["footer"]
    b.label(f"A{r}", "填表人：", align="right")
    b.input(f"B{r}", "basic.filler", VType.TEXT, "填表人", merge=f"B{r}:C{r}", align="left")
    b.label(f"D{r}", "填报日期：", align="right")
    b.input(f"E{r}", "basic.fill_date", VType.DATE, "填报日期", align="left")
    b.label(f"F{r}", "联系电话：", align="right")
    b.input(f"G{r}", "basic.phone", VType.TEXT, "联系电话", align="left")

    heights = {2: 30.0, rows["building_head"]: 30.0, rows["frugality"]: 48.0}
    return SheetLayout(
        name=BD_SHEET,
        columns=BD_COLUMNS,
        row_heights=heights,
        last_row=rows["footer"],
        last_col="G",
        table_top=rows["staff_head"],
        table_bottom=rows["frugality"],
        print_title_rows="1:3",
        cells=tuple(b.cells),
    )


ZP_INCOME = (
    ("income_general_public", "其中：一般公共预算："),
    ("income_gov_fund", "政府性基金拨款："),
    ("income_special_non_tax", "纳入专户管理的非税收入拨款："),
    ("income_other", "其他资金："),
)
ZP_EXPENDITURE = (("expenditure_basic", "其中：基本支出："), ("expenditure_project", "项目支出："))
ZP_ANCHORS = ("预算单位名称", "年度预算申请（万元）", "年度总体目标", "绩效指标", "总分")


def zp_rows(indicator_rows: tuple[tuple[int, ...], ...], goal_rows: int = 1) -> dict[str, int]:
    n = sum(sum(t) for t in indicator_rows)
    head = 12 + goal_rows
    return {"title": 2, "unit": 3, "funds_head": 4, "funds": 5, "income_head": 6, "income_first": 7,
            "goal_head": 11, "goal": 12, "goal_last": head - 1, "ind_head": head, "ind_first": head + 1,
            "total": head + 1 + n}


def _zp_layout(shape: Shape) -> SheetLayout:
    b = _Builder(ZP_SHEET)
    rows = zp_rows(shape.indicator_rows, shape.goal_rows)
    b.label("A1", "附件1-2", align="left", wrap=False)
    b.label("A2", ZP_TITLE, merge="A2:I2", bold=True, size=16)
    b.label("A3", "预算单位名称", merge="A3:B3", anchor=True)
    b.input("C3", "self_eval.unit_name", VType.TEXT, "预算单位名称", merge="C3:I3", align="left")

    r = rows["funds_head"]
    b.label(f"A{r}", "年度预算申请（万元）", merge=f"A{r}:A{r + 6}", anchor=True)
    b.label(f"B{r}", "")
    for col, text in zip("CDEFG", ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率"), strict=True):
        b.label(f"{col}{r}", text)
    b.label(f"H{r}", "得分", merge=f"H{r}:I{r}")
    r = rows["funds"]
    fp = "self_eval.funds"
    b.label(f"B{r}", "年度资金总额")
    b.input(f"C{r}", f"{fp}.initial_budget", VType.AMOUNT, "年度资金总额（年初预算数）")
    b.input(f"D{r}", f"{fp}.full_year_budget", VType.AMOUNT, "年度资金总额（全年预算数）")
    b.input(f"E{r}", f"{fp}.executed", VType.AMOUNT, "年度资金总额（全年执行数）")
    b.input(f"F{r}", f"{fp}.weight", VType.SCORE, "年度资金总额（分值）")
    b.derived(f"G{r}", f"{fp}.execution_rate_stated", f"{fp}.execution_rate_stated",
              _rate_formula(f"E{r}", f"D{r}"), VType.RATE, "执行率")
    b.derived(f"H{r}", f"{fp}.score_stated", f"{fp}.score_stated",
              f'=IF(OR(N(D{r})=0,E{r}="",F{r}=""),"{NA_TEXT}",ROUND(N(F{r})*MIN(N(E{r})/N(D{r}),1),2))',
              VType.SCORE,
              "年度资金总额（得分）", merge=f"H{r}:I{r}")
    r = rows["income_head"]
    first = rows["income_first"]
    b.label(f"B{r}", "按收入性质分：", merge=f"B{r}:C{r}", align="left")
    b.derived(f"D{r}", "self_eval.income_total_stated", "self_eval.income_total_stated",
              f"=SUM(D{first}:D{first + 3})", VType.AMOUNT, "按收入性质分（合计）", merge=f"D{r}:E{r}")
    b.label(f"F{r}", "按支出性质分：", merge=f"F{r}:G{r}", align="left")
    b.derived(f"H{r}", "self_eval.expenditure_total_stated", "self_eval.expenditure_total_stated",
              f"=SUM(H{first}:H{first + 1})", VType.AMOUNT, "按支出性质分（合计）", merge=f"H{r}:I{r}")
    for i, (key, text) in enumerate(ZP_INCOME):
        row = first + i
        b.label(f"B{row}", text, merge=f"B{row}:C{row}", align="left")
        b.input(f"D{row}", f"self_eval.{key}", VType.AMOUNT, text.replace("其中：", "").rstrip("："),
                merge=f"D{row}:E{row}")
    for i in range(4):
        row = first + i
        if i < len(ZP_EXPENDITURE):
            key, text = ZP_EXPENDITURE[i]
            b.label(f"F{row}", text, merge=f"F{row}:G{row}", align="left")
            b.input(f"H{row}", f"self_eval.{key}", VType.AMOUNT, text.replace("其中：", "").rstrip("："),
                    merge=f"H{row}:I{row}")
        else:
            b.label(f"F{row}", "", merge=f"F{row}:I{row}")

    r = rows["goal_head"]
    g1, g2 = rows["goal"], rows["goal_last"]
    b.label(f"A{r}", "年度总体目标", merge=f"A{r}:A{g2}", anchor=True)
    b.label(f"B{r}", "预期目标", merge=f"B{r}:E{r}")
    b.label(f"F{r}", "实际完成情况", merge=f"F{r}:I{r}")
    b.input(f"B{g1}", "self_eval.goal_expected", VType.LONG_TEXT, "预期目标", merge=f"B{g1}:E{g2}",
            align="left")
    b.input(f"F{g1}", "self_eval.goal_actual", VType.LONG_TEXT, "实际完成情况", merge=f"F{g1}:I{g2}",
            align="left")

    r = rows["ind_head"]
    total = rows["total"]
    b.label(f"A{r}", "绩效指标", merge=f"A{r}:A{total - 1}" if total - 1 > r else None, anchor=True)
    for col, text in zip("BCDEFGHI", ("一级指标", "二级指标", "三级指标", "年度\n指标值", "实际完\n成值", "分值",
                                      "得分", "偏差原因\n分析及\n改进措施"), strict=True):
        b.label(f"{col}{r}", text)
    row = rows["ind_first"]
    for i1, l2_rows in enumerate(shape.indicator_rows):
        n1 = sum(l2_rows)
        p1 = f"self_eval.indicators[{i1}]"
        b.structure(f"B{row}", p1, VType.LEVEL1, "一级指标",
                    merge=f"B{row}:B{row + n1 - 1}" if n1 > 1 else None)
        for i2, n2 in enumerate(l2_rows):
            p2 = f"{p1}.secondaries[{i2}]"
            b.structure(f"C{row}", f"{p2}.name", VType.TEXT, "二级指标",
                        merge=f"C{row}:C{row + n2 - 1}" if n2 > 1 else None)
            for i3 in range(n2):
                p3 = f"{p2}.rows[{i3}]"
                b.input(f"D{row}", f"{p3}.name", VType.TEXT, "三级指标", align="left")
                b.input(f"E{row}", f"{p3}.target", VType.INDICATOR, "年度指标值")
                b.input(f"F{row}", f"{p3}.actual", VType.INDICATOR, "实际完成值")
                b.input(f"G{row}", f"{p3}.weight", VType.SCORE, "分值")
                b.input(f"H{row}", f"{p3}.score", VType.SCORE, "得分")
                b.input(f"I{row}", f"{p3}.deviation", VType.LONG_TEXT, "偏差原因分析及改进措施", align="left")
                row += 1
    fr = rows["funds"]
    first_ind, last_ind = rows["ind_first"], total - 1
    b.label(f"A{total}", "总分", merge=f"A{total}:F{total}", anchor=True)
    rng = f"SUM(G{first_ind}:G{last_ind})+" if last_ind >= first_ind else ""
    b.derived(f"G{total}", "self_eval.total_weight_stated", "self_eval.total_weight_stated",
              f"={rng}N(F{fr})", VType.SCORE, "总分（分值）")
    rng = f"SUM(H{first_ind}:H{last_ind})+" if last_ind >= first_ind else ""
    b.derived(f"H{total}", "self_eval.total_score_stated", "self_eval.total_score_stated",
              f"={rng}N(H{fr})", VType.SCORE, "总分（得分）")
    b.label(f"I{total}", "")

    heights = {2: 30.0, rows["funds_head"]: 30.0, rows["ind_head"]: 45.0}
    heights.update({r: 60.0 for r in range(rows["goal"], rows["goal_last"] + 1)})
    return SheetLayout(
        name=ZP_SHEET,
        columns=ZP_COLUMNS,
        row_heights=heights,
        last_row=total,
        last_col="I",
        table_top=rows["unit"],
        table_bottom=total,
        print_title_rows="1:2",
        cells=tuple(b.cells),
    )


def _ref(sheet: str, addr: str) -> str:
    return f"{quote_sheet(sheet)}!{addr}"


#: 计算结果 items computed by native formulas: (calc key, label, description)
CALC_ITEMS = (
    ("calc.staff_over", "超编人数（人）", "在职人数 − 编制数"),
    ("calc.three_public_control", "“三公”经费控制率", "本年决算数 / 本年预算数（F3）"),
    ("calc.three_public_change", "“三公”经费变动率（决算口径）", "(本年决算 − 上年决算) / 上年决算（F2）"),
    ("calc.public_funds_control", "公用经费控制率", "本年决算数 / 本年预算数（F4）"),
    ("calc.procurement_rate", "政府采购执行率", "本年决算数 / 本年预算数（F5）"),
    ("calc.basic_adjustment_rate", "基本支出预算调整率", "(调整后 − 年初) / 年初（F8）"),
    ("calc.budget_adjustment_rate", "部门预算调整率", "(全年预算数 − 年初预算数) / 年初预算数（F8h）"),
    ("calc.total_score", "总分", "Σ三级得分 + 预算执行率得分"),
    ("calc.grade", "等级", "优 ≥90，良 ≥80，中 ≥60，差 <60"),
    ("calc.renormalised_total", "按适用指标折算的总分", "Σ适用得分 / Σ适用分值 × 100（§2.4）"),
    ("calc.profile", "评分口径", "计算时采用的评分口径（标题和名称；定稿中同样记录）"),
)


def _calc_layout(shape: Shape) -> SheetLayout:
    b = _Builder(CALC_SHEET)
    rows = bd_rows(shape.n_projects)
    zr = zp_rows(shape.indicator_rows, shape.goal_rows)
    b.label("A1", "计算结果（供核对参考，不属于上报表格）", merge="A1:F1", bold=True, size=14)
    b.label("A2", "项目", bold=True)
    b.label("B2", "计算值", bold=True)
    b.label("C2", "计算方法", merge="C2:F2", bold=True)

    def bd(addr: str) -> str:
        return _ref(BD_SHEET, addr)

    def zp(addr: str) -> str:
        return _ref(ZP_SHEET, addr)

    s = rows["staff"]
    tp, pf, pr, ba = rows["three_public_stated"], rows["public_funds"], rows["procurement"], \
        rows["basic_adjustment"]
    fr, tot = zr["funds"], zr["total"]
    formulas = {
        "calc.staff_over": f'=IF(OR({bd(f"B{s}")}="",{bd(f"D{s}")}=""),"{NA_TEXT}",'
                           f'N({bd(f"D{s}")})-N({bd(f"B{s}")}))',
        "calc.three_public_control": _rate_formula(bd(f"F{tp}"), bd(f"D{tp}")),
        "calc.three_public_change": f'=IF(N({bd(f"B{tp}")})=0,"{NA_TEXT}",'
                                    f'(N({bd(f"F{tp}")})-N({bd(f"B{tp}")}))/N({bd(f"B{tp}")}))',
        "calc.public_funds_control": _rate_formula(bd(f"F{pf}"), bd(f"D{pf}")),
        "calc.procurement_rate": _rate_formula(bd(f"F{pr}"), bd(f"D{pr}")),
        "calc.basic_adjustment_rate": f'=IF(OR(N({bd(f"D{ba}")})=0,{bd(f"F{ba}")}=""),"{NA_TEXT}",'
                                      f'(N({bd(f"F{ba}")})-N({bd(f"D{ba}")}))/N({bd(f"D{ba}")}))',
        "calc.budget_adjustment_rate": f'=IF(OR(N({zp(f"C{fr}")})=0,{zp(f"D{fr}")}=""),"{NA_TEXT}",'
                                       f'(N({zp(f"D{fr}")})-N({zp(f"C{fr}")}))/N({zp(f"C{fr}")}))',
        "calc.total_score": f"=N({zp(f'H{tot}')})",
        "calc.grade": f'=IF({zp(f"H{tot}")}="","{NA_TEXT}",IF(N({zp(f"H{tot}")})>=90,"优",'
                      f'IF(N({zp(f"H{tot}")})>=80,"良",IF(N({zp(f"H{tot}")})>=60,"中","差"))))',
        "calc.renormalised_total": None,
        "calc.profile": None,
    }
    vtypes = {"calc.staff_over": VType.COUNT, "calc.total_score": VType.SCORE, "calc.grade": VType.TEXT,
              "calc.renormalised_total": VType.SCORE, "calc.profile": VType.TEXT}
    row = 3
    for key, label, desc in CALC_ITEMS:
        b.label(f"A{row}", label, align="left")
        formula = formulas[key]
        if formula is None:  # engine-only value, written by 计算
            b.cells.append(Cell(sheet=CALC_SHEET, address=f"B{row}", role=Role.DERIVED, calc_key=key,
                                vtype=vtypes.get(key, VType.RATE), caption=label))
        else:
            b.derived(f"B{row}", None, key, formula, vtypes.get(key, VType.RATE), label)
        b.label(f"C{row}", desc, merge=f"C{row}:F{row}", align="left")
        row += 1
    row += 1
    b.label(f"A{row}", "三级指标建议得分（引擎按正向/反向/定性规则计算，仅供参考）", merge=f"A{row}:F{row}",
            bold=True, align="left")
    row += 1
    for col, text in zip("ABCDEF", ("三级指标", "分值", "填报得分", "建议得分", "计分方式", "计算说明"),
                         strict=True):
        b.label(f"{col}{row}", text, bold=True)
    row += 1
    zrow = zr["ind_first"]
    for i1, l2_rows in enumerate(shape.indicator_rows):
        for i2, n2 in enumerate(l2_rows):
            for i3 in range(n2):
                key = f"calc.indicators[{i1}].secondaries[{i2}].rows[{i3}]"
                b.derived(f"A{row}", None, f"{key}.name", f'=IF({zp(f"D{zrow}")}="","",{zp(f"D{zrow}")})',
                          VType.TEXT, "三级指标", align="left")
                b.derived(f"B{row}", None, f"{key}.weight", f'=IF({zp(f"G{zrow}")}="","",{zp(f"G{zrow}")})',
                          VType.SCORE, "分值")
                b.derived(f"C{row}", None, f"{key}.score", f'=IF({zp(f"H{zrow}")}="","",{zp(f"H{zrow}")})',
                          VType.SCORE, "填报得分")
                for col, sub, vt in (("D", "suggested", VType.SCORE), ("E", "direction", VType.TEXT),
                                     ("F", "explanation", VType.TEXT)):
                    b.cells.append(Cell(sheet=CALC_SHEET, address=f"{col}{row}", role=Role.DERIVED,
                                        calc_key=f"{key}.{sub}", vtype=vt, caption=sub,
                                        align="left" if col == "F" else "center"))
                row += 1
                zrow += 1
    return SheetLayout(
        name=CALC_SHEET,
        columns={"A": 34.0, "B": 12.0, "C": 12.0, "D": 12.0, "E": 10.0, "F": 48.0},
        last_row=row - 1,
        last_col="F",
        table_top=2,
        table_bottom=row - 1,
        cells=tuple(b.cells),
    )


def build_layout(shape: Shape) -> Layout:
    """Every cell for ``shape``; raises :class:`~perfeval.limits.LimitError` above the largest report supported."""
    check_shape(shape.n_projects, sum(sum(rows) for rows in shape.indicator_rows))
    bd = _bd_layout(shape)
    zp = _zp_layout(shape)
    calc = _calc_layout(shape)
    return Layout(shape=shape, sheets={BD_SHEET: bd, ZP_SHEET: zp, CALC_SHEET: calc})


def layout_for(report: Report) -> Layout:
    return build_layout(Shape.of(report))
