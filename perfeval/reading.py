"""Read a filled workbook (as a grid of cell values) back into the report model.

This module is pure: it sees a workbook through the small :class:`BookGrid` protocol, implemented with
openpyxl by :mod:`perfeval.xlsx.reader` (files) and with the values xlwings reads by ``addin.macros``
(live Excel), so the command line and the add-in read the same cells the same way.

The reader first finds the structure: the two official sheets (by name, or by their printed title when a
sheet was renamed), the 评价年度 (from the column headers), the number of 项目支出 rows (between the
"项目支出" and "公用经费" anchors) and the indicator groups (between "绩效指标" and "总分"). It then builds
the expected :class:`~perfeval.layout.Layout` for that shape and compares every printed label with it: a
workbook that no longer matches (deleted rows, moved blocks, another template) raises
:class:`StructureError` naming each difference, never a silent wrong reading.

Values are read leniently — numbers typed as text (``"568.61"``, ``"568.61万元"``, full-width digits,
``"95%"``) are accepted; a cell that cannot be interpreted becomes a :class:`ReadIssue` (and the value is
left blank) rather than an exception. A derived cell that holds a value instead of its formula is read as a
*stated* value (the unit typed over the formula).

What the reader reports (:class:`ReadIssue`, listed by ``perfeval rules`` as reader codes):

* RD-001 (error) — a cell that cannot be read: garbage text, a bool, a date or an error value (``#DIV/0!``) in
  a numeric cell, a non-integer 人数, a number whose magnitude is implausible (|x| ≥ 1e12); read as blank.
* RD-002 (warning) — a number stored as text in a numeric cell: read as that number, but Excel's own formulas
  (N(), SUM) count text as 0, so the sheet's totals differ from the tool's. Input cells are listed in
  :attr:`ReadResult.text_numbers` so that 计算 can turn them into real numbers.
* RD-003 (warning) — a derived cell whose formula differs from the template's (compared without spaces, ``$``
  and case). Its cached value, where the file has one, is read as a stated value (checked like a typed one).
* RD-004 (warning) — an amount with more than two decimals: sums use it rounded half up to 0.01 (as printed).
* RD-005 (warning) — an official sheet renamed, out of place (附件1-1 first, 附件1-2 second) or hidden.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from perfeval import a1
from perfeval.findings import Severity
from perfeval.layout import Cell, Layout, Role, VType
from perfeval.model import Level1, Level2, Level3
from perfeval.numbers import (
    MAX_MAGNITUDE,
    NumberParseError,
    decimals,
    fmt_amount,
    fmt_number,
    is_blank,
    money,
    normalise_text,
    to_decimal,
)
from perfeval.paths import assign, parse_level1_label, path_steps, walk
from perfeval.sheets import CALC_SHEET


class SheetGrid(Protocol):
    """One sheet's cells. ``value`` is the raw content: formula text ("=…") where the source knows
    formulas, else the displayed value."""

    title: str
    max_row: int

    def value(self, address: str) -> Any: ...

    def at(self, row: int, col: int) -> Any: ...

    def is_formula(self, address: str) -> bool:
        """Whether the cell holds a formula (False where the source only knows values)."""
        ...

    def number_format(self, address: str) -> str: ...

    def cached(self, address: str) -> Any:
        """The last computed value of a formula cell (None when unknown)."""
        ...

    @property
    def visible(self) -> bool:
        """Whether the sheet is shown (not hidden or very hidden)."""
        ...


class BookGrid(Protocol):
    sheetnames: list[str]

    def __getitem__(self, name: str) -> SheetGrid: ...


class ValuesSheet:
    """A sheet given as a 2-D list of values anchored at A1 (what xlwings reads); formulas unknown."""

    def __init__(self, title: str, rows: list[list[Any]], visible: bool = True) -> None:
        self.title = title
        self.rows = rows
        self.max_row = len(rows)
        self.visible = visible

    def at(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            value = self.rows[row - 1][col - 1]
            return None if value == "" else value
        return None

    def value(self, address: str) -> Any:
        return self.at(*a1.split(address))

    def number_format(self, address: str) -> str:
        return ""

    def is_formula(self, address: str) -> bool:
        return False  # live Excel through xlwings: values only (a formula shows its result)

    def cached(self, address: str) -> Any:
        return None


class ValuesBook:
    def __init__(self, sheets: dict[str, list[list[Any]]], hidden: frozenset[str] = frozenset()) -> None:
        self._sheets = {name: ValuesSheet(name, rows, name not in hidden) for name, rows in sheets.items()}
        self.sheetnames = list(sheets)

    def __getitem__(self, name: str) -> ValuesSheet:
        return self._sheets[name]


class StructureError(Exception):
    """The workbook does not have the structure of the official form; ``differences`` lists each."""

    def __init__(self, message: str, differences: list[str] | None = None) -> None:
        self.differences = differences or []
        text = message
        if self.differences:
            text += "：\n" + "\n".join(f"  - {d}" for d in self.differences[:20])
            if len(self.differences) > 20:
                text += f"\n  …… 另有 {len(self.differences) - 20} 处不一致"
        super().__init__(text)


@dataclass(frozen=True)
class ReadIssue:
    sheet: str  # official sheet name
    address: str
    caption: str
    raw: str
    message: str
    code: str | None = None  # rule code (BD-014, RD-002 …); None means RD-001 (unreadable, read as blank)
    severity: Severity = Severity.ERROR

    @property
    def blanks_value(self) -> bool:
        """Whether the cell was read as blank because of this issue (model findings there are moot)."""
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class TextNumber:
    """A numeric input cell holding a number stored as text, and the number it was read as."""

    cell: Cell
    raw: str
    value: Decimal

    @property
    def cell_value(self) -> int | Decimal:
        """What 计算 writes into the cell: a whole number of people as an int, any other number as read."""
        return int(self.value) if self.cell.vtype == VType.COUNT else self.value

    def describe(self, sheet: str | None = None) -> str:
        """``附件1-1 基础数据表!D14：“63.88万元” → 63.88`` (what 计算 lists)."""
        return f"{sheet or self.cell.sheet}!{self.cell.address}：“{self.raw}” → {self.value:f}"


@dataclass
class ReadResult:
    report: Any  # the form pack's report model
    layout: Layout
    issues: list[ReadIssue] = field(default_factory=list)
    typed_over: list[Cell] = field(default_factory=list)  # derived cells holding a value, not a formula
    sheet_names: dict[str, str] = field(default_factory=dict)  # official name → name in the workbook
    text_numbers: list[TextNumber] = field(default_factory=list)  # input cells 计算 turns into numbers


_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=8192)  # the labels of the forms and the texts read near them: few distinct ones
def _norm_text(text: str) -> str:
    return _SPACES.sub("", normalise_text(text))


def norm(text: Any) -> str:
    """A label as compared: normalised width, no whitespace."""
    if text is None:
        return ""
    text = text if type(text) is str else str(text)
    return _norm_text(text) if len(text) <= 256 else _norm_text.__wrapped__(text)  # a long text: not kept


def column_a(ws: SheetGrid) -> dict[str, list[int]]:
    """Rows of each text in column A, normalised (a label may appear twice, e.g. a project named like a row)."""
    out: dict[str, list[int]] = {}
    for row in range(1, ws.max_row + 1):
        v = ws.at(row, 1)
        if isinstance(v, str):
            out.setdefault(norm(v), []).append(row)
    return out


def prints_title(ws: SheetGrid, title: str) -> bool:
    """Whether the top rows of ``ws`` (A1:I4) print ``title``."""
    wanted = norm(title)
    return any(norm(ws.at(row, col)) == wanted for row in range(1, 5) for col in range(1, 10))


def top_texts(ws: SheetGrid) -> frozenset[str]:
    """The texts of the top rows of ``ws`` (A1:I4) as compared (:func:`norm`): ``prints_title(ws, t)`` is
    ``norm(t) in top_texts(ws)``, for checking several titles in one look."""
    return frozenset(norm(ws.at(row, col)) for row in range(1, 5) for col in range(1, 10))


def find_sheet(wb: BookGrid, name: str, title: str) -> str | None:
    """The sheet called ``name``, else the first whose top rows print ``title`` (a renamed official sheet)."""
    if name in wb.sheetnames:
        return name
    return next((sheet for sheet in wb.sheetnames if prints_title(wb[sheet], title)), None)


MIN_YEAR, MAX_YEAR = 2000, 2100  # the range of Report.year

_YEAR_LABEL = re.compile(r"^(\d{4})(年.*)$")


def check_labels(wb: BookGrid, layout: Layout, names: dict[str, str], year_code: str | None = None,
                 accepts: Callable[[str, Any], bool] | None = None) -> list[ReadIssue]:
    """Every printed label of ``layout`` must be where it is; the differences raise :class:`StructureError`.
    A year label ("2023年预算数") that only disagrees in its year is an issue with ``year_code`` instead.
    ``accepts(expected, actual)``: a form's printed variants of a label (e.g. 本年财政拨款 for 当年财政拨款)."""
    differences = []
    issues = []
    for sheet, cells in layout.memo("reading.labels", _label_cells):
        ws = wb[names[sheet]]
        for cell in cells:
            _check_label(ws, cell, layout, names, year_code, accepts, differences, issues)
    if differences:
        raise StructureError(
            "工作簿的表格结构与官方模板不一致（可能删除或移动了行、改动了表头，或使用了其他版本的模板）", differences
        )
    return issues


def _label_cells(layout: Layout) -> tuple[tuple[str, tuple[Cell, ...]], ...]:
    """The printed labels of ``layout`` (计算结果 aside), by sheet."""
    out: dict[str, list[Cell]] = {}
    for cell in layout.cells():
        if cell.sheet != CALC_SHEET and cell.role == Role.LABEL and cell.text:
            out.setdefault(cell.sheet, []).append(cell)
    return tuple((sheet, tuple(cells)) for sheet, cells in out.items())


def _check_label(ws: SheetGrid, cell: Cell, layout: Layout, names: dict[str, str], year_code: str | None,
                 accepts: Callable[[str, Any], bool] | None, differences: list[str], issues: list[ReadIssue]) -> None:
    assert cell.text is not None
    actual = ws.value(cell.address)
    expected, found = norm(cell.text), norm(actual)
    if found == expected:  # the usual case: printed as in the template (the checks below accept it too)
        return
    expected_year = _YEAR_LABEL.match(expected)
    actual_year = _YEAR_LABEL.match(found)
    if expected_year and actual_year and expected_year.group(2) == actual_year.group(2):
        if expected_year.group(1) != actual_year.group(1):
            issues.append(ReadIssue(
                cell.sheet, cell.address, "年度表头", str(actual),
                f"表头“{found}”与评价年度{layout.year}年不符，应为“{expected}”",
                code=year_code))
        return
    if not (accepts is not None and accepts(cell.text, actual)):
        shown = actual if actual else "（空）"
        differences.append(f"“{names[cell.sheet]}”{cell.address} 应为“{cell.text.strip()}”，实际为“{shown}”")


NUMERIC = (VType.AMOUNT, VType.COUNT, VType.AREA, VType.SCORE, VType.RATE)
_TEXT_VTYPES = frozenset((VType.TEXT, VType.LONG_TEXT, VType.INDICATOR))


def _text(value: Any, cell: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # as Excel shows a logical value
    if isinstance(value, dt.datetime | dt.date):
        d = value.date() if isinstance(value, dt.datetime) else value
        return f"{d.year}年{d.month}月{d.day}日"
    if isinstance(value, float | int | Decimal):
        try:
            number = to_decimal(value)
        except NumberParseError:
            return str(value)  # inf / nan in a text cell: shown as stored
        assert number is not None
        return fmt_number(number)
    return str(value).strip() if cell.vtype != VType.LONG_TEXT else str(value).strip("\n ")


_FORMULA_NOISE = re.compile(r"[\s$]")


def normalise_formula(formula: str) -> str:
    """A formula compared as text: no leading "=", no spaces, no ``$``, upper case."""
    return _normalise_formula(formula) if len(formula) <= 1024 else _normalise_formula.__wrapped__(formula)


@functools.lru_cache(maxsize=8192)  # the templates' formulas, compared for every derived cell of every workbook
def _normalise_formula(formula: str) -> str:
    return _FORMULA_NOISE.sub("", formula).lstrip("=").upper()


def _formula_text(raw: Any) -> str:
    text = getattr(raw, "text", None)  # an array formula object
    return str(text if isinstance(text, str) else raw)


class CellReader:
    """Reads the cells of a layout from a workbook, collecting the RD-* issues."""

    def __init__(self, wb: BookGrid, layout: Layout, names: dict[str, str]) -> None:
        self.wb = wb
        self.layout = layout
        self.names = names
        self.issues: list[ReadIssue] = []
        self.typed_over: list[Cell] = []
        self.text_numbers: list[TextNumber] = []

    def issue(self, cell: Cell, raw: Any, message: str, code: str | None = None,
              severity: Severity = Severity.ERROR) -> None:
        self.issues.append(ReadIssue(cell.sheet, cell.address, cell.caption, shown(raw), message, code, severity))

    def value(self, cell: Cell, ws: SheetGrid) -> Any:
        raw = ws.value(cell.address)
        if cell.role == Role.DERIVED:
            if ws.is_formula(cell.address):
                return self.derived_formula(cell, ws, raw)
            if raw is not None:
                self.typed_over.append(cell)
            return self.convert(cell, raw, stated=True)
        if ws.is_formula(cell.address):
            cached = ws.cached(cell.address)
            if cached is None:
                what = "内容" if cell.vtype in (VType.TEXT, VType.LONG_TEXT, VType.INDICATOR, VType.DATE) else "数值"
                self.issue(cell, raw, f"{cell.caption}填写的是公式“{raw}”，文件中没有保存其计算结果，请直接填写{what}")
                return None
            raw = cached
        return self.convert(cell, raw, stated=False)

    def derived_formula(self, cell: Cell, ws: SheetGrid, raw: Any) -> Any:
        """A formula in a derived cell: the template's holds by construction (None); another one is RD-003
        and its cached value, when the file has one, is read as a stated value."""
        formula = _formula_text(raw)
        if cell.formula is None or normalise_formula(formula) == normalise_formula(cell.formula):
            return None
        cached = ws.cached(cell.address)
        known = not is_blank(cached)
        display = f"，表中显示为“{shown(cached)}”" if known else "，文件中没有保存其计算结果"
        self.issue(cell, formula,
                   f"{cell.caption}的公式“{formula}”与模板公式“{cell.formula}”不同{display}；"
                   "请核对，或运行“计算”恢复模板公式", code="RD-003", severity=Severity.WARNING)
        if not known:
            return None
        self.typed_over.append(cell)
        return self.convert(cell, cached, stated=True)

    def convert(self, cell: Cell, raw: Any, *, stated: bool) -> Any:
        vtype = cell.vtype
        if vtype in _TEXT_VTYPES:
            if raw is None:
                return ""
            if type(raw) is str:  # the usual case, as _text
                return raw.strip() if vtype != VType.LONG_TEXT else raw.strip("\n ")
            if vtype == VType.INDICATOR and isinstance(raw, float | int) and not isinstance(raw, bool):
                fmt = self.wb[self.names[cell.sheet]].number_format(cell.address) or ""
                if "%" in fmt:
                    try:
                        pct = to_decimal(raw)
                    except NumberParseError:
                        pct = None
                    if pct is not None:
                        return fmt_number(pct * 100) + "%"
            return _text(raw, cell)
        if raw is None:  # a blank number or date
            return None
        if vtype == VType.DATE:
            if isinstance(raw, dt.date):
                return raw
            try:
                from perfeval.model import _date

                return _date(raw)
            except ValueError:
                self.issue(cell, raw, f"{cell.caption}“{shown(raw)}”不是可识别的日期（示例：2024年6月6日）")
                return None
        if is_blank(raw):
            return None
        try:
            number = to_decimal(raw)
        except NumberParseError as exc:
            if stated and isinstance(raw, str):
                return str(raw).strip()  # a stated text such as "—"
            self.issue(cell, raw, f"{cell.caption}：{_unreadable(raw, exc)}")
            return None
        if number is None:
            return None
        if isinstance(raw, str) and "%" in raw and cell.vtype not in (VType.RATE,):
            self.issue(cell, raw, f"{cell.caption}应填写金额或数值，不应带百分号：“{raw}”")
            return None
        if abs(number) >= MAX_MAGNITUDE:
            self.issue(cell, raw, f"{cell.caption}的数值“{shown(raw)}”大得不合理（绝对值达到1万亿以上），"
                                  "请检查是否误填")
            return None
        if cell.vtype == VType.COUNT and number != number.to_integral_value():
            self.issue(cell, raw, f"{cell.caption}应为整数人数：“{raw}”")
            return None
        if isinstance(raw, str):
            self.text_number(cell, raw, number, stated=stated)
        if cell.vtype == VType.AMOUNT and _beyond_cents(number):
            printed = fmt_amount(money(number))
            self.issue(cell, raw, f"{cell.caption}金额应保留两位小数：填写 {_plain(number)}，按 {printed} 计",
                       code="RD-004", severity=Severity.WARNING)
        return number

    def text_number(self, cell: Cell, raw: str, number: Decimal, *, stated: bool) -> None:
        """RD-002: the engine reads the number; Excel's N()/SUM count the text as 0."""
        shown = _plain(number) if cell.vtype != VType.RATE else f"{_plain(number * 100)}%"
        if stated:  # a derived cell typed over with text: 计算 puts the formula back
            advice = "请运行“计算”恢复公式，或直接改填数字。"
        else:
            advice = "请运行“计算”转换为数值，或直接改填数字。"
            self.text_numbers.append(TextNumber(cell, raw, number))
        self.issue(cell, raw, f"{cell.caption}填写为文字“{raw.strip()}”，按 {shown} 读取；但 Excel 公式把文字当作 0 "
                              f"计算，合计会少算。{advice}", code="RD-002", severity=Severity.WARNING)


def shown(raw: Any) -> str:
    """A raw cell value as the user sees it in a message."""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, dt.datetime | dt.date):
        d = raw.date() if isinstance(raw, dt.datetime) else raw
        return f"{d.year}年{d.month}月{d.day}日"
    text = _formula_text(raw) if not isinstance(raw, str) else raw
    return text if len(text) <= 60 else text[:57] + "…"


def _beyond_cents(number: Decimal) -> bool:
    """``decimals(number) > 2``, without normalising a number written with at most two decimals (the usual case:
    normalising only drops digits)."""
    exponent = number.as_tuple().exponent
    return not (isinstance(exponent, int) and exponent >= -2) and decimals(number) > 2


def _plain(number: Decimal) -> str:
    """A number as written, in plain notation (scientific only when that would be absurdly long)."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".") if number != number.to_integral_value() else text
    return text if len(text) <= 24 else f"{number:.6E}"


def _unreadable(raw: Any, exc: NumberParseError) -> str:
    if isinstance(raw, bool):
        return f"“{shown(raw)}”是逻辑值，不是数字"
    if isinstance(raw, dt.date | dt.time | dt.timedelta):
        return f"“{shown(raw)}”是日期或时间，不是数字"
    if isinstance(raw, str) and raw.strip().startswith("#"):
        return f"单元格显示错误值“{raw.strip()}”，不是数字"
    return str(exc)


def sheet_issues(wb: BookGrid, layout: Layout, names: dict[str, str]) -> list[ReadIssue]:
    """RD-005: each official sheet under its own name, in its place (the layout's order), shown."""
    issues = []
    for position, official in enumerate(layout.official, start=1):
        actual = names[official]
        problems = []
        if actual != official:
            problems.append(f"工作表名称被改为“{actual}”")
        index = wb.sheetnames.index(actual) + 1
        if index != position:
            problems.append(f"位于第{index}个")
        if not wb[actual].visible:
            problems.append("已隐藏")
        if problems:
            issues.append(ReadIssue(
                official, "A1", "工作表", actual,
                f"官方工作表“{official}”应为工作簿的第{position}个工作表、名称不变且可见，现{'、'.join(problems)}；"
                "导出定稿时将恢复官方名称、顺序并取消隐藏",
                code="RD-005", severity=Severity.WARNING))
    return issues


_PLACEHOLDER = "（未填写）"


def level1_skeleton(reader: CellReader, cell: Cell, raw: Any, l2_rows: tuple[int, ...]) -> Level1:
    name, weight_text = parse_level1_label(_text(raw, cell))
    weight = None
    if weight_text:
        try:
            weight = to_decimal(weight_text)
        except NumberParseError:
            weight = None
        if weight is None or abs(weight) >= MAX_MAGNITUDE:
            reader.issue(cell, raw, f"一级指标标注的分值“{weight_text}”无法识别（示例：产出指标（50分））")
            weight = None
    if not name:
        reader.issue(cell, raw, "一级指标名称不能为空")
        name = _PLACEHOLDER
    return Level1.model_construct(
        name=name, weight=weight,
        secondaries=[Level2.model_construct(name=_PLACEHOLDER, rows=[Level3() for _ in range(n)]) for n in l2_rows],
    )




def indicator_groups(ws: SheetGrid, first: int, total: int) -> tuple[tuple[int, ...], ...]:
    """The 一级/二级 grouping of the 三级 rows ``first``…``total − 1`` of a 绩效指标 block (一级 names in column B,
    二级 in C, each written on the first row of its group): per 一级, the number of rows of each 二级."""
    groups: list[list[int]] = []
    for row in range(first, total):
        b, c = ws.at(row, 2), ws.at(row, 3)
        if not is_blank(b) or not groups:
            groups.append([])
        if not is_blank(c) or not groups[-1]:
            groups[-1].append(0)
        groups[-1][-1] += 1
    return tuple(tuple(g) for g in groups)


def read_cells(reader: CellReader, report: Any, sheets: Iterable[str] | None = None) -> None:
    """Every input, structure and derived cell of ``reader.layout`` (its 计算结果 sheet aside; only ``sheets``
    when given) into ``report`` by model path. 一级 labels are read by :func:`level1_skeleton` beforehand."""
    wanted = None if sheets is None else set(sheets)
    steps: tuple[str | int, ...] | None = None
    parent: Any = None
    for sheet, cells in reader.layout.memo("reading.values", _value_cells):
        if wanted is not None and sheet not in wanted:
            continue
        ws = reader.wb[reader.names[sheet]]
        for cell, to_parent, name in cells:
            value = reader.value(cell, ws)
            if cell.role == Role.STRUCTURE and is_blank(value):
                reader.issue(cell, value, f"{cell.caption}名称不能为空")
                continue
            if to_parent != steps:  # consecutive cells mostly fill one model (a 三级 row, an amounts row)
                steps, parent = to_parent, walk(report, to_parent)
            try:
                assign(parent, name, value)
            except ValueError:
                if value is None:  # a text field left unreadable (e.g. a formula without a saved value): blank
                    assign(parent, name, "")
                else:
                    reader.issue(cell, value, f"{cell.caption}：内容“{shown(value)}”无法按本栏的类型读取，已按空白处理")


_ValueCells = tuple[tuple[str, tuple[tuple[Cell, tuple[str | int, ...], str], ...]], ...]


def _value_cells(layout: Layout) -> _ValueCells:
    """The cells :func:`read_cells` reads (input, structure and derived cells with a model path, 一级 labels and
    计算结果 aside), by sheet, each with its path as (steps to the model holding the value, field name)."""
    out: dict[str, list[tuple[Cell, tuple[str | int, ...], str]]] = {}
    for cell in layout.cells():
        if cell.sheet != CALC_SHEET and cell.path is not None and cell.vtype != VType.LEVEL1:
            to_parent, name = path_steps(cell.path)
            if not isinstance(name, str):  # pragma: no cover - the layouts' paths end in a field
                raise KeyError(cell.path)
            out.setdefault(cell.sheet, []).append((cell, to_parent, name))
    return tuple((sheet, tuple(cells)) for sheet, cells in out.items())


def read_grid(wb: BookGrid) -> ReadResult:
    """Read whichever form ``wb`` holds; StructureError when none, or when more than one form recognises it."""
    from perfeval import forms

    found = forms.recognising(wb)
    if not found:
        titles = "；".join(f"{p.title}" for p in forms.all_forms())
        raise StructureError("工作簿中找不到官方表格",
                             [f"未识别出任何一种表格（{titles}）；现有工作表：{'、'.join(wb.sheetnames)}"])
    if len(found) > 1:  # reading one would silently leave the other's sheets unchecked (and in a 定稿)
        raise StructureError("一个工作簿中同时有几种表格：" + "、".join(p.title for p in found),
                             ["本工具一次只处理一种表格，请把它们分别保存为单独的工作簿后再处理"
                              "（需要相互核对时用 perfeval validate 工作簿.xlsx --with 另一工作簿.xlsx）"])
    return found[0].read(wb)
