"""Template layout as data: the one source of truth for every cell address (the core part).

A form pack's layout builder (e.g. :mod:`perfeval.forms.department.layout`) turns the pack's shape (how many
rows each repeating block has) into a :class:`Layout`: every cell of the official sheets with its role (label,
input, derived, structure), value type, model path, native Excel formula, merged range and style hints, built
with :class:`Builder`. The generator, the reader, the checker, the exporter and the add-in all look cells up
in a layout; none of them knows a form's addresses.

Model paths are dotted with list indices, e.g. ``basic.projects[3].amounts.budget`` or
``self_eval.indicators[0].secondaries[1].rows[0].score``; :mod:`perfeval.paths` gets and sets them.
Derived cells carry the path of the *stated* value (what the unit typed over the formula) and, in
``calc_key``, the key of the engine's computed value (:func:`perfeval.compute.compute`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from enum import StrEnum
from functools import cached_property
from typing import Any, TypedDict, TypeVar, Unpack

from pydantic import BaseModel, ConfigDict, Field

from perfeval import a1, textfit
from perfeval.sheets import CALC_SHEET

NA_TEXT = "—"

T = TypeVar("T")


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


def text_units(text: str) -> int:
    """Display width in half-width columns: full-width (CJK) characters count 2, others 1."""
    return textfit.display_width(text)


def lines_needed(text: str, width: float) -> int:
    """Lines a 10.5 pt text wraps to in a column (or merged range) ``width`` units wide (:mod:`perfeval.textfit`)."""
    return textfit.lines_needed(text, width)


def height_needed(text: str, width: float) -> float:
    """Row height (points) that shows a 10.5 pt text whole in ``width`` units (:mod:`perfeval.textfit`)."""
    return textfit.text_height(text, width)


class Layout(BaseModel):
    """Every cell of one workbook of a form: the official sheets (in their official order) and 计算结果.

    ``shape`` is the form pack's own description of what varies (rows, blocks); ``official`` the names of the
    sheets that are sent upward, in order. Everything outside a form pack reads a layout only through these
    generic fields and the cells' roles, paths and formulas.
    """

    model_config = ConfigDict(frozen=True)
    form: str
    year: int
    shape: BaseModel
    sheets: dict[str, SheetLayout]
    official: tuple[str, ...]

    @property
    def calc(self) -> SheetLayout | None:
        """The 计算结果 sheet of this layout, if the form has one."""
        return self.sheets.get(CALC_SHEET)

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

    @cached_property
    def _memo(self) -> dict[str, Any]:
        return {}

    def memo(self, key: str, build: Callable[[Layout], T]) -> T:
        """``build(self)``, computed once per layout and kept under ``key`` (e.g. the cells a reader visits):
        a layout is immutable, and layouts are shared between the workbooks of one shape."""
        memo = self._memo
        if key not in memo:
            memo[key] = build(self)
        return memo[key]

    def by_path(self) -> dict[str, Cell]:
        return dict(self._path_index)

    def by_calc_key(self) -> dict[str, Cell]:
        return {c.calc_key: c for c in self.cells() if c.calc_key is not None and c.sheet != CALC_SHEET}

    def cell_at(self, sheet: str, address: str) -> Cell | None:
        return self._address_index.get((sheet, address))

    def find(self, path: str) -> Cell:
        return self._path_index[path]


def merge_bounds(cell: Cell) -> tuple[int, int, int, int]:
    """(first row, first col, last row, last col) of the cell's merged range (itself when unmerged)."""
    return a1.range_bounds(cell.merge or cell.address)


def rate_formula(num: str, den: str) -> str:
    """num/den, "—" when the denominator is 0 or blank or the numerator blank (as the engine)."""
    return f'=IF(OR(N({den})=0,{num}=""),"{NA_TEXT}",N({num})/N({den}))'


class Style(TypedDict, total=False):
    """Style hints a :class:`_Builder` call may pass on to :class:`Cell`."""

    align: str
    bold: bool
    wrap: bool
    size: float | None
    anchor: bool


class Builder:
    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.cells: list[Cell] = []

    def label(self, addr: str, text: str, merge: str | None = None, **kw: Unpack[Style]) -> None:
        self.cells.append(Cell(sheet=self.sheet, address=addr, role=Role.LABEL, text=text, merge=merge, **kw))

    def input(self, addr: str, path: str, vtype: VType, caption: str, merge: str | None = None,
              **kw: Unpack[Style]) -> None:
        self.cells.append(
            Cell(sheet=self.sheet, address=addr, role=Role.INPUT, path=path, vtype=vtype, merge=merge,
                 caption=caption, **kw)
        )

    def derived(self, addr: str, path: str | None, calc_key: str, formula: str, vtype: VType,
                caption: str, merge: str | None = None, **kw: Unpack[Style]) -> None:
        self.cells.append(
            Cell(sheet=self.sheet, address=addr, role=Role.DERIVED, path=path, calc_key=calc_key,
                 formula=formula, vtype=vtype, merge=merge, caption=caption, **kw)
        )

    def structure(self, addr: str, path: str, vtype: VType, caption: str, merge: str | None = None,
                  **kw: Unpack[Style]) -> None:
        self.cells.append(
            Cell(sheet=self.sheet, address=addr, role=Role.STRUCTURE, path=path, vtype=vtype, merge=merge,
                 caption=caption, **kw)
        )




# --------------------------------------------------------------------------- blocks every 自评表 shares
# 附件1-2 and the 项目支出绩效自评表 print the same 年度总体目标, 绩效指标 and 总分 blocks in columns A–I; each form
# calls these with the model path of its table (an :class:`~perfeval.model.IndicatorTable`).

TABLE_COLUMNS = "ABCDEFGHI"
INDICATOR_HEADERS = ("一级指标", "二级指标", "三级指标", "年度\n指标值", "实际完\n成值", "分值", "得分",
                     "偏差原因\n分析及\n改进措施")


def execution_score_formula(executed: str, budget: str, weight: str, capped: bool = True) -> str:
    """得分 = 分值 × 执行率 (capped at 100 % unless ``capped`` is False), "—" without a budget or figures."""
    ratio = f"N({executed})/N({budget})"
    if capped:
        ratio = f"MIN({ratio},1)"
    return f'=IF(OR(N({budget})=0,{executed}="",{weight}=""),"{NA_TEXT}",ROUND(N({weight})*{ratio},2))'


def goal_block(b: Builder, head: int, last: int, prefix: str) -> None:
    """年度总体目标: 预期目标 (B–E) and 实际完成情况 (F–I), the texts merged over rows ``head + 1``…``last``."""
    b.label(f"A{head}", "年度总体目标", merge=f"A{head}:A{last}", anchor=True)
    b.label(f"B{head}", "预期目标", merge=f"B{head}:E{head}")
    b.label(f"F{head}", "实际完成情况", merge=f"F{head}:I{head}")
    g1 = head + 1
    b.input(f"B{g1}", f"{prefix}.goal_expected", VType.LONG_TEXT, "预期目标", merge=f"B{g1}:E{last}",
            align="left")
    b.input(f"F{g1}", f"{prefix}.goal_actual", VType.LONG_TEXT, "实际完成情况", merge=f"F{g1}:I{last}",
            align="left")


def indicator_block(b: Builder, head: int, prefix: str, indicator_rows: tuple[tuple[int, ...], ...]) -> int:
    """绩效指标: header row ``head``, then one row per 三级 (一级 in B, 二级 in C merged over their rows).
    Returns the row after the last 三级 row (the 总分 row)."""
    total = head + 1 + sum(sum(t) for t in indicator_rows)
    b.label(f"A{head}", "绩效指标", merge=f"A{head}:A{total - 1}" if total - 1 > head else None, anchor=True)
    for col, text in zip(TABLE_COLUMNS[1:], INDICATOR_HEADERS, strict=True):
        b.label(f"{col}{head}", text)
    row = head + 1
    for i1, l2_rows in enumerate(indicator_rows):
        n1 = sum(l2_rows)
        p1 = f"{prefix}.indicators[{i1}]"
        b.structure(f"B{row}", p1, VType.LEVEL1, "一级指标", merge=f"B{row}:B{row + n1 - 1}" if n1 > 1 else None)
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
    return row


def total_row(b: Builder, total: int, first_ind: int, prefix: str, *, weight: str, score: str) -> None:
    """总分: Σ三级分值 + the 年度资金总额 分值 (cell ``weight``), Σ三级得分 + its 得分 (cell ``score``)."""
    last_ind = total - 1
    b.label(f"A{total}", "总分", merge=f"A{total}:F{total}", anchor=True)
    rng = f"SUM(G{first_ind}:G{last_ind})+" if last_ind >= first_ind else ""
    b.derived(f"G{total}", f"{prefix}.total_weight_stated", f"{prefix}.total_weight_stated",
              f"={rng}N({weight})", VType.SCORE, "总分（分值）")
    rng = f"SUM(H{first_ind}:H{last_ind})+" if last_ind >= first_ind else ""
    b.derived(f"H{total}", f"{prefix}.total_score_stated", f"{prefix}.total_score_stated",
              f"={rng}N({score})", VType.SCORE, "总分（得分）")
    b.label(f"I{total}", "")
