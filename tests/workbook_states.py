"""Hypothesis strategy for workbook *states*: real .xlsx files as an accountant can leave them.

A :class:`WorkbookState` is a small, printable recipe (so a failing example is its own reproducer):

- a **base** workbook: a fresh template (``perfeval new``: 0..N project rows, one 三级 row per 二级), a blank
  report with 1..3 三级 rows per 二级 written by ``fill`` (the 新建 form grown by the accountant), or a filled
  example: the seed as printed (errors included) trimmed to 0..10 project rows with 1..3 copies of each
  三级 row, or its corrected copy as is (a fully filled form that passes 校验; it gets at most
  ``LIGHT_EDITS`` edits, of its text cells, so that ``export`` and ``verify`` often get past 校验 to their
  own work);
- then **edits** to a drawn subset of the cells the form's layout knows (roles INPUT and DERIVED, on
  every sheet it lays out; no address is hard-coded here). An input cell gets a blank, a plausible value
  for its type, a number (int, float, Decimal; negative, huge, more than two decimals), any text form the
  reader accepts ("63.88万元", "６３．８８", "95%", "1,234.50", "40人", " 12 "), garbage text, a bool, a
  date/datetime/time, an error value (``#DIV/0!`` stored as an error, or typed as text) or a formula; a
  derived cell gets its template formula, another formula, a typed value or nothing. An edit may also
  give the cell a note (批注) and a fill of the accountant's own.

A state is of either form (``form``); the bases above are those of the ``department`` form (附件1-1 +
附件1-2). A ``project`` state (项目支出绩效自评表, one sheet per project) has the same kinds of base: a fresh
template (1..3 sheets), a blank book with 1..3 三级 rows per 二级 on each sheet written by ``fill``, the example
(``examples/huaihua-2023-projects.json``) trimmed to a drawn subset of its sheets with 1..3 copies of each
三级 row, or the example as is (it passes 校验; at most ``LIGHT_EDITS`` edits of its text cells and no
restructuring). After its cell edits a project state may be **restructured** as an accountant reorganises a
workbook: a project sheet renamed (its references in formulas follow, as in Excel), two sheets swapped, a sheet
copied ("名称 (2)", as Excel names a copy), a 项目名称 changed so that it no longer matches its sheet, one
project's name typed on another sheet, or a sheet's year row changed.

``WorkbookState.write(path)`` builds the file with openpyxl; the same recipe always gives the same cells.
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.comments import Comment

from perfeval import a1, forms
from perfeval.config import DEFAULT_CONFIG
from perfeval.forms.base import BlankOptions
from perfeval.forms.department.layout import layout_for
from perfeval.forms.department.model import Report, blank_report
from perfeval.forms.project.layout import year_label
from perfeval.forms.project.model import ProjectBook
from perfeval.layout import Cell, Layout, Role, VType
from perfeval.model import IndicatorTable, Level2
from perfeval.xlsx.flags import _fill_from_code  # the user fills: the same state codes the product restores
from perfeval.xlsx.workflow import fill, template_report, write_new

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
#: filled bases: the seed as printed (with the original's errors) and its corrected copy (exports cleanly)
SEEDS = {"seed": "huaihua-2023.json", "corrected": "huaihua-2023-corrected.json"}

BASES = ("new", "blank", *SEEDS)
FORMS = ("department", "project")
#: project form: the filled example, and what its bases are called ("example": a drawn subset of its sheets with
#: grown 三级 rows; "example-as-is": passes 校验)
PROJECT_EXAMPLE = "huaihua-2023-projects.json"
PROJECT_BASES = ("new", "blank", "example", "example-as-is")
MAX_PROJECT_SHEETS = 3  # of the "new" and "blank" project bases
MAX_RESTRUCTURES = 2
MAX_NEW_PROJECTS = 4
MAX_ROWS_PER_L2 = 3
MAX_EDITS = 30
LIGHT_EDITS = 3

ERROR_VALUES = ("#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")
FOREIGN_FORMULAS = (
    "=B5/D5", "=1/0", "=SUM(A1:A3)", "=1+1", '="63.88"', "=NOW()", "=#REF!+1", "=A1", "=-5", "=1E+308*10",
    "=SUM(B14:B13)", "=IF(1,\"—\",0)", "='附件1-1 基础数据表'!B5", "=Sheet9!A1", "=NA()",
)
#: Colours an accountant may give a cell: ARGB, a theme colour with tint, an indexed colour.
USER_FILLS: tuple[str, ...] = ("FF00B050", "FFFFFF00", "theme:4:0.3999", "indexed:22")


@dataclass(frozen=True)
class Edit:
    """One cell set to one value. ``kind`` names the drawn form (for reading a failing example)."""

    sheet: str
    address: str
    kind: str
    value: Any = None
    as_text: bool = False  # store a str that looks like a formula or an error value as plain text
    note: str | None = None  # the accountant's own 批注
    fill: str | None = None  # the accountant's own fill (ARGB, "theme:T:tint" or "indexed:N")


@dataclass(frozen=True)
class Restructure:
    """A project workbook reorganised (after the cell edits). ``index`` and ``other`` are positions of project
    sheets in the workbook (they stay project sheets whatever was done before); ``address`` is the cell the
    change types into (from the layout), ``value`` what it types or the new sheet name."""

    kind: str  # "rename" | "swap" | "copy" | "name-mismatch" | "duplicate-name" | "year"
    index: int
    other: int | None = None
    address: str | None = None
    value: Any = None


Rows = tuple[tuple[int, ...], ...]  # one entry per 一级: the number of 三级 rows of each 二级


@dataclass(frozen=True)
class WorkbookState:
    base: str  # department: "new" | "blank" | "seed" | "corrected"; project: one of PROJECT_BASES
    year: int
    n_projects: int  # department: 项目支出 rows of 附件1-1; project: project sheets
    rows_per_l2: Rows | None = None  # department, all but "new": 三级 rows of each 二级
    edits: tuple[Edit, ...] = field(default_factory=tuple)
    form: str = "department"
    sheet_rows: tuple[Rows, ...] | None = None  # project "blank"/"example": 三级 rows of each 二级, per sheet
    keep: tuple[int, ...] | None = None  # project "example": which of the example's projects, in order
    restructure: tuple[Restructure, ...] = field(default_factory=tuple)  # project only

    def report(self) -> Any:
        """The model the base workbook is written from."""
        if self.form == "project":
            return self._project_report()
        if self.base in SEEDS:
            report = _seed(self.base).model_copy(deep=True)
            report.basic.projects = report.basic.projects[: self.n_projects]
        else:
            report = blank_report(self.year, n_projects=self.n_projects)
        if self.rows_per_l2 is not None:
            for l1, counts in zip(report.self_eval.indicators, self.rows_per_l2, strict=True):
                for l2, n in zip(l1.secondaries, counts, strict=True):
                    _grow(l2, n)
        return report

    def _project_report(self) -> ProjectBook:
        if self.base == "new":
            book = template_report(self.year, n_projects=self.n_projects, form="project")
        elif self.base == "blank":
            book = forms.get("project").blank(BlankOptions(year=self.year, n_projects=self.n_projects),
                                              DEFAULT_CONFIG)
        else:
            book = _project_example().model_copy(deep=True)
            if self.keep is not None:
                book.projects = [book.projects[k] for k in self.keep]
        assert isinstance(book, ProjectBook)
        if self.sheet_rows is not None:
            for table, rows in zip(book.projects, self.sheet_rows, strict=True):
                _grow_table(table, rows)
        return book

    def write(self, path: Path) -> Path:
        if self.base == "new":
            write_new(path, year=self.year, n_projects=self.n_projects, form=self.form)
        else:
            fill(self.report(), path)
        if self.edits or self.restructure:
            wb = load_workbook(path)
            for e in self.edits:
                apply_edit(wb[e.sheet], e)
            for r in self.restructure:
                apply_restructure(wb, r)
            wb.save(path)
        return path


def _grow(l2: Level2, n: int) -> None:
    rows = list(l2.rows)
    while len(rows) < n:
        rows.append(rows[len(rows) % len(l2.rows)].model_copy(deep=True))
    l2.rows = rows[:n]


def _grow_table(table: IndicatorTable, rows_per_l2: Rows) -> None:
    for l1, counts in zip(table.indicators, rows_per_l2, strict=True):
        for l2, n in zip(l1.secondaries, counts, strict=True):
            _grow(l2, n)


@cache
def _seed(base: str) -> Report:
    return Report.model_validate(json.loads((EXAMPLES / SEEDS[base]).read_text(encoding="utf-8")))


@cache
def _project_example() -> ProjectBook:
    book = forms.get("project").parse_json((EXAMPLES / PROJECT_EXAMPLE).read_text(encoding="utf-8"))
    assert isinstance(book, ProjectBook)
    return book


def apply_edit(ws: Any, e: Edit) -> None:
    c = ws[e.address]
    c.value = e.value
    if e.kind == "error":
        c.data_type = "e"
    elif e.as_text:
        c.data_type = "s"
    if e.note is not None:
        c.comment = Comment(e.note, "会计")
    if e.fill is not None:
        c.fill = _fill_from_code(e.fill)


def apply_restructure(wb: Any, r: Restructure) -> None:
    """One reorganisation of a project workbook, as Excel would leave it."""
    ws = wb.worksheets[r.index]
    if r.kind == "rename":
        old = ws.title
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ws.title = r.value  # openpyxl makes a duplicate title unique ("名称1"), as Excel refuses one
        _follow_rename(wb, old, ws.title)
    elif r.kind == "swap":
        assert r.other is not None
        a, b = sorted((r.index, r.other))
        first, second = wb.worksheets[a], wb.worksheets[b]
        wb.move_sheet(second, offset=a - b)  # second now at a, first at a + 1
        wb.move_sheet(first, offset=b - (a + 1))
    elif r.kind == "copy":  # Excel's 移动或复制 → 建立副本: "名称 (2)" right after the original
        with warnings.catch_warnings():  # a name of more than 31 characters: what the reader must refuse
            warnings.simplefilter("ignore")
            copy = wb.copy_worksheet(ws)  # named "… Copy" first
            copy.title = f"{ws.title} (2)"
        wb.move_sheet(copy, offset=r.index + 1 - wb.index(copy))
    elif r.kind == "duplicate-name":  # the project name of sheet ``other`` typed on sheet ``index`` too
        assert r.other is not None and r.address is not None
        name = wb.worksheets[r.other][r.address].value or r.value
        wb.worksheets[r.other][r.address].value = name
        ws[r.address].value = name
    else:  # "name-mismatch", "year": a text typed into one cell
        assert r.address is not None
        ws[r.address].value = r.value


def _follow_rename(wb: Any, old: str, new: str) -> None:
    """Formulas that referred to sheet ``old`` refer to ``new`` (what Excel does on a rename)."""
    if old == new:
        return
    before, after = f"{a1.quote_sheet(old)}!", f"{a1.quote_sheet(new)}!"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if c.data_type == "f" and isinstance(c.value, str) and before in c.value:
                    c.value = c.value.replace(before, after)


# ---------------------------------------------------------------------------------------------- values

CJK = "部门整体支出绩效评价项目经费公用专项办公会议培训完成率数量质量时效成本满意度"
_TEXT_ALPHABET = st.sampled_from(list(CJK + "abcXYZ0123456789０１２（）()、，。%％≥≤-—/:：.,， \u3000\n\t"))
#: characters openpyxl cannot store (XML 1.0 control characters) are never drawn
short_text = st.text(_TEXT_ALPHABET, min_size=1, max_size=24)

ints = st.integers(min_value=-10**6, max_value=10**6)
floats = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
decimals2 = st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
negatives = st.one_of(st.integers(-10**4, -1), st.decimals(-10**4, Decimal("-0.01"), places=2),
                      st.sampled_from([-0.0, -1e-9, -0.005]))
huge = st.sampled_from([1e15, 1e308, -1e308, 1.7976931348623157e308, 10**20, Decimal("1E+30"),
                        Decimal("99999999999999.99"), 5e-324, 1e-300])
many_decimals = st.one_of(
    st.sampled_from([12.345, 0.005, 1 / 3, 2.675, Decimal("12.345"), Decimal("0.125"), Decimal("99.999")]),
    st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
)
numbers = st.one_of(ints, floats, decimals2, negatives, huge, many_decimals)

_FULL_WIDTH = str.maketrans("0123456789.-+,%", "０１２３４５６７８９．－＋，％")
_SUFFIXES = ("", "万元", "元", "人", "㎡", "m2", "平方米", "分", "次", "个", "户", "%")


@st.composite
def text_numbers(draw: st.DrawFn) -> str:
    """Numbers typed as text in every form the reader accepts (and a few near misses)."""
    number = draw(st.one_of(decimals2, st.integers(-10**6, 10**6).map(Decimal), many_decimals.map(
        lambda v: Decimal(repr(v)) if isinstance(v, float) else v)))
    text = f"{number:f}"
    if draw(st.booleans()) and abs(number) >= 1000:  # thousands separators: "1,234.50"
        text = f"{number:,f}"
    text += draw(st.sampled_from(_SUFFIXES))
    if draw(st.booleans()):
        text = text.translate(_FULL_WIDTH)
    pad = draw(st.sampled_from(["", " ", "\u3000", "  ", "\t"]))
    return pad + text + pad


garbage = st.one_of(
    short_text,
    st.sampled_from(["—", "-", "N/A", "无", "不适用", "1.2.3", "--5", "1e5", "NaN", "inf", "Infinity", "十二",
                     "٣٤", "①②", "x²", "12万元整", "约 30 人", "0x1F", "＋", "(5)", "5-", "1 000", "'12",
                     "=100%", "#REF!", "TRUE", "2023年12月31日前", "≥90%", "长" * 600]),
)
dates = st.one_of(
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 12, 31)),
    st.times(),
)
blanks = st.sampled_from([None, "", " ", "\u3000", "\n"])

_SCORE = st.decimals(min_value=0, max_value=50, places=1, allow_nan=False, allow_infinity=False)
_INDICATOR = st.sampled_from(["≥90%", "2次", "100%", "2023年12月31日前", "效果明显", "≤财政预算指标控制数", "无",
                              "=100%", "95%", "≤100万元", "达标", "0.95", "3个"])


def plausible(vtype: VType) -> st.SearchStrategy[Any]:
    """A value an accountant would rightly type in a cell of this type."""
    return {
        VType.AMOUNT: st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
        VType.COUNT: st.integers(min_value=0, max_value=500),
        VType.AREA: st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False),
        VType.RATE: st.decimals(min_value=0, max_value=3, places=4, allow_nan=False, allow_infinity=False),
        VType.SCORE: _SCORE,
        VType.DATE: st.dates(dt.date(2015, 1, 1), dt.date(2036, 12, 31)),
        VType.INDICATOR: st.one_of(_INDICATOR, st.integers(0, 100)),
    }.get(vtype, short_text)


def _is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith("=") or value in ERROR_VALUES)


@st.composite
def input_edit(draw: st.DrawFn, cell: Cell) -> Edit:
    kind = draw(st.sampled_from(["blank", "plausible", "number", "text-number", "garbage", "bool", "date",
                                 "error", "formula"]))
    if kind == "blank":
        value: Any = draw(blanks)
    elif kind == "plausible":
        value = draw(plausible(cell.vtype))
    elif kind == "number":
        value = draw(numbers)
    elif kind == "text-number":
        value = draw(text_numbers())
    elif kind == "garbage":
        value = draw(garbage)
    elif kind == "bool":
        value = draw(st.booleans())
    elif kind == "date":
        value = draw(dates)
    elif kind == "error":
        value = draw(st.sampled_from(ERROR_VALUES))
        if draw(st.booleans()):  # typed as text rather than stored as an error value
            kind = "error-as-text"
    else:
        value = draw(st.sampled_from(FOREIGN_FORMULAS))
    return _decorate(draw, cell, kind, value)


@st.composite
def derived_edit(draw: st.DrawFn, cell: Cell) -> Edit:
    kind = draw(st.sampled_from(["template-formula", "foreign-formula", "typed", "nothing"]))
    if kind == "template-formula":
        value: Any = cell.formula  # None for the engine-only cells of 计算结果
    elif kind == "foreign-formula":
        value = draw(st.sampled_from(FOREIGN_FORMULAS))
    elif kind == "typed":
        value = draw(st.one_of(st.just("—"), plausible(cell.vtype), numbers, text_numbers(), garbage,
                               st.booleans(), dates))
    else:
        value = None
    return _decorate(draw, cell, kind, value)


def _decorate(draw: st.DrawFn, cell: Cell, kind: str, value: Any) -> Edit:
    as_text = _is_formula_like(value) and kind not in ("formula", "template-formula", "foreign-formula",
                                                       "error")
    note = draw(st.one_of(st.none(), st.sampled_from(["请核对", "数据来自财务系统", "【原批注】旧"])))
    user_fill = draw(st.one_of(st.none(), st.sampled_from(USER_FILLS)))
    return Edit(cell.sheet, cell.address, kind, value, as_text, note, user_fill)


# ---------------------------------------------------------------------------------------------- states

@cache
def _layout(state: WorkbookState) -> Layout:
    if state.form == "project":
        return forms.get("project").layout_for(state.report())
    return layout_for(state.report())


def editable_cells(layout: Layout) -> list[Cell]:
    return [c for c in layout.cells() if c.role in (Role.INPUT, Role.DERIVED)]


@st.composite
def bases(draw: st.DrawFn) -> WorkbookState:
    base = draw(st.sampled_from(BASES))
    if base == "new":
        return WorkbookState("new", draw(st.sampled_from([2025, 2023, 2000, 2100])),
                             draw(st.integers(0, MAX_NEW_PROJECTS)))
    if base == "corrected":  # as is: a form that passes 校验, so that export and verify get to work
        return WorkbookState(base, _seed(base).year, len(_seed(base).basic.projects))
    skeleton = _seed(base) if base in SEEDS else blank_report(2025, n_projects=0)
    rows = tuple(tuple(draw(st.integers(1, MAX_ROWS_PER_L2)) for _ in l1.secondaries)
                 for l1 in skeleton.self_eval.indicators)
    if base == "seed":
        n = len(skeleton.basic.projects)
        return WorkbookState(base, skeleton.year, draw(st.integers(0, n).map(lambda k: n - k)), rows)
    return WorkbookState("blank", draw(st.sampled_from([2025, 2023])), draw(st.integers(0, MAX_NEW_PROJECTS)),
                         rows)


def _rows(draw: st.DrawFn, table: IndicatorTable) -> Rows:
    return tuple(tuple(draw(st.integers(1, MAX_ROWS_PER_L2)) for _ in l1.secondaries) for l1 in table.indicators)


@st.composite
def project_bases(draw: st.DrawFn) -> WorkbookState:
    base = draw(st.sampled_from(PROJECT_BASES))
    example = _project_example()
    if base == "new":
        return WorkbookState("new", draw(st.sampled_from([2025, 2023, 2000, 2100])),
                             draw(st.integers(1, MAX_PROJECT_SHEETS)), form="project")
    if base == "example-as-is":  # passes 校验, so that export and verify get to work
        return WorkbookState(base, example.year, len(example.projects), form="project")
    if base == "example":
        n = len(example.projects)
        size = draw(st.integers(1, n))  # the size first (a drawn list of distinct indices is nearly always full)
        keep = tuple(sorted(draw(st.permutations(range(n)))[:size]))
        rows = tuple(_rows(draw, example.projects[i]) for i in keep)
        return WorkbookState(base, example.year, len(keep), form="project", sheet_rows=rows, keep=keep)
    n = draw(st.integers(1, MAX_PROJECT_SHEETS))
    skeleton = forms.get("project").blank(BlankOptions(year=2025, n_projects=1), DEFAULT_CONFIG)
    assert isinstance(skeleton, ProjectBook)
    rows = tuple(_rows(draw, skeleton.projects[0]) for _ in range(n))
    return WorkbookState("blank", draw(st.sampled_from([2025, 2023])), n, form="project", sheet_rows=rows)


#: what a restructuring types: sheet names (Excel refuses []:*?/\ and more than 31 characters; openpyxl makes a
#: duplicate unique), project names, year rows
NEW_SHEET_NAMES = ("新项目", "污水处理专项业务费", "项目 (2)", "校验结果", "计算结果", "History", "'引号'", "Sheet1",
                   "长" * 31, "长" * 40, "项目１", "专项（业务）经费", " 前后空格 ")
NEW_PROJECT_NAMES = ("另一个项目", "专项（业务）经费", "专项(业务)经费", "", None, "  ", "鹤中一体化燃气规划专项经费",
                     "名" * 200, 12345, "=1/0", "项目1")
YEAR_TEXTS = ("（2024年度）", "（2022年度）", "(2023年度)", "2023年度", "（1999年度）", "（2101年度）",
              "（二〇二三年度）", "", None, 2023, "（2023年度", "#REF!")


@st.composite
def restructures(draw: st.DrawFn, layout: Layout) -> Restructure:
    n = len(layout.official)
    kinds = ["rename", "copy", "name-mismatch", "year"] + (["swap", "duplicate-name"] if n > 1 else [])
    kind = draw(st.sampled_from(kinds))
    index = draw(st.integers(0, n - 1))
    other = draw(st.integers(0, n - 1).filter(lambda j: j != index)) if kind in ("swap", "duplicate-name") else None
    name_cell = layout.find(f"projects[{index}].name").address  # the same address on every project sheet
    if kind == "rename":
        return Restructure(kind, index, value=draw(st.sampled_from(NEW_SHEET_NAMES)))
    if kind in ("swap", "copy"):
        return Restructure(kind, index, other)
    if kind == "year":  # the label printing the 评价年度 (an address of the layout, not typed here)
        year_cell = next(c for c in layout.sheets[layout.official[index]].cells
                         if c.role == Role.LABEL and c.text == year_label(layout.year))
        return Restructure(kind, index, address=year_cell.address, value=draw(st.sampled_from(YEAR_TEXTS)))
    return Restructure(kind, index, other, name_cell, draw(st.sampled_from(NEW_PROJECT_NAMES)))


@st.composite
def _subset(draw: st.DrawFn, cells: list[Cell], max_size: int) -> list[Cell]:
    """Up to ``max_size`` distinct cells; the size is drawn first (a plain list draw stays near empty)."""
    n = draw(st.integers(0, min(max_size, len(cells))))
    return draw(st.lists(st.sampled_from(cells), min_size=n, max_size=n,
                         unique_by=lambda c: (c.sheet, c.address))) if n else []


@st.composite
def workbook_states(draw: st.DrawFn, max_edits: int = MAX_EDITS, form: str | None = "department") -> WorkbookState:
    """A state of ``form`` (either, drawn, when None)."""
    form = form or draw(st.sampled_from(FORMS))
    state = draw(project_bases() if form == "project" else bases())
    layout = _layout(state)
    cells = editable_cells(layout)
    if state.base in ("corrected", "example-as-is"):  # a few edits of its texts: most still pass 校验 and export
        max_edits = min(max_edits, LIGHT_EDITS)
        cells = [c for c in cells if c.vtype in (VType.TEXT, VType.LONG_TEXT)]
    inputs = [c for c in cells if c.role == Role.INPUT]
    derived = [c for c in cells if c.role == Role.DERIVED]
    chosen = draw(_subset(inputs, max_edits - max_edits // 3)) + draw(_subset(derived, max_edits // 3))
    edits = tuple(draw(input_edit(c) if c.role == Role.INPUT else derived_edit(c)) for c in chosen)
    changes: tuple[Restructure, ...] = ()
    if form == "project" and state.base != "example-as-is":
        n = draw(st.integers(0, MAX_RESTRUCTURES))
        changes = tuple(draw(restructures(layout)) for _ in range(n))
    return WorkbookState(state.base, state.year, state.n_projects, state.rows_per_l2, edits, state.form,
                         state.sheet_rows, state.keep, changes)
