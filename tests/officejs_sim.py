"""Test-only stand-in for the Office.js client of xlwings' remote engine, backed by openpyxl.

``payload_from_workbook`` builds what xlwings-server's ``getBookData`` (custom-scripts/index.js)
would send for a workbook; ``apply_actions`` does what its ``runActions`` callbacks do with
``xw.Book(json=payload).json()["actions"]``. Action shapes come from ``xlwings/pro/_xlremote.py``
(0.37.8): ``args`` is always a list (a scalar is wrapped), coordinates are 0-based, and
``sheet_position`` is the sheet index after earlier actions ran (``None`` for book-level actions).

Known divergences from real Excel (keep this list honest; it is the part that can be wrong):
* formula cells are sent as ``""`` unless ``formula_values`` supplies their computed value;
* a written string is parsed like typed input only for plain numbers and ISO dates (Excel also
  parses percentages, currency, locale dates ...); a cell formatted as text (``"@"``) keeps strings;
* formats on whole columns/rows are applied to the cells inside the current used extent only;
* ``setColumnWidth`` gets points and converts them to character widths assuming Calibri 11;
* notes are openpyxl ``Comment`` objects, and ``addComment`` (a threaded comment in Excel) is one too;
* ``setFormula`` with one formula for a bigger range copies it verbatim (Excel adjusts references);
* ``alert``/``save`` only get recorded on the returned :class:`AppliedActions`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from copy import copy
from decimal import Decimal
from typing import Any

import xlwings
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

NOTE_AUTHOR = "perfeval"
_VISIBILITY = {"visible": "Visible", "hidden": "Hidden", "veryHidden": "VeryHidden"}
_CALCULATION = {"auto": "Automatic", "manual": "Manual", "autoNoTable": "AutomaticExceptTables"}
_NAME_TYPES = {"RANGE": "Range", "TEXT": "String", "NUMBER": "Double", "LOGICAL": "Boolean"}
_MAX_ROWS, _MAX_COLUMNS = 1_048_576, 16_384
_ALERT_KEYS = ("prompt", "title", "buttons", "mode", "callback")
_INT_RE = re.compile(r"^[+-]?\d+$")
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?$")


# --------------------------------------------------------------------------- payload


def _js_value(value: Any) -> Any:
    """A cell value as Office.js reports it (dates: numbers with a date format → ISO strings)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):
        return value.strftime("1899-12-30T%H:%M:%S.000Z")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"no Office.js equivalent for {value!r}")


def _is_formula(cell: Cell) -> bool:
    return cell.data_type == "f" or isinstance(cell.value, ArrayFormula)


def _sheet_payload(
    ws: Worksheet, notes_supported: bool, formula_values: Mapping[tuple[str, str], Any]
) -> dict[str, Any]:
    filled = [c for row in ws.iter_rows() for c in row if c.value is not None]
    values: list[list[Any]] = [[""]]
    used: dict[str, Any] = {"address": None, "rows": 0, "cols": 0}
    if filled:
        r0, r1 = min(c.row for c in filled), max(c.row for c in filled)
        c0, c1 = min(c.column for c in filled), max(c.column for c in filled)
        first, last = f"{get_column_letter(c0)}{r0}", f"{get_column_letter(c1)}{r1}"
        used = {"address": first if first == last else f"{first}:{last}", "rows": r1 - r0 + 1}
        used["cols"] = c1 - c0 + 1
        values = [["" for _ in range(c1)] for _ in range(r1)]
        for c in filled:
            raw = formula_values.get((ws.title, c.coordinate), "") if _is_formula(c) else c.value
            values[c.row - 1][c.column - 1] = _js_value(raw)
    notes = [{"address": c.coordinate} for row in ws.iter_rows() for c in row if c.comment]
    print_area = ws.print_area or None
    if print_area:
        print_area = ",".join(a.split("!")[-1].replace("$", "") for a in print_area.split(","))
    return {
        "name": ws.title,
        "visibility": _VISIBILITY[ws.sheet_state],
        "show_gridlines": ws.sheet_view.showGridLines is not False,
        "print_area": print_area,
        "notes": notes if notes_supported else [],
        "notes_supported": notes_supported,
        "used_range_address": used["address"],
        "used_range_row_count": used["rows"],
        "used_range_column_count": used["cols"],
        "values": values,
        **{key: [] for key in ("pictures", "shapes", "charts", "tables", "pivot_tables")},
    }


def _names_payload(wb: Workbook) -> list[dict[str, Any]]:
    positions = {ws.title: ix for ix, ws in enumerate(wb.worksheets)}
    scopes = [(None, wb.defined_names)] + [(ws, ws.defined_names) for ws in wb.worksheets]
    names = []
    for scope, defined in scopes:
        for name, dn in defined.items():
            kind = dn.type
            dests = list(dn.destinations) if kind == "RANGE" else []
            single = dests[0] if len(dests) == 1 and "," not in dests[0][1] else None
            names.append(
                {
                    "name": name,
                    "refers_to": "=" + dn.attr_text,
                    "type": _NAME_TYPES.get(kind, "Error"),
                    "sheet_index": positions.get(single[0]) if single else None,
                    "address": single[1].replace("$", "") if single else None,
                    "scope_sheet_name": scope.title if scope else None,
                    "scope_sheet_index": positions[scope.title] if scope else None,
                    "book_scope": scope is None,
                }
            )
    return names


def payload_from_workbook(
    wb: Workbook,
    *,
    book_name: str = "book.xlsx",
    active_sheet_index: int = 0,
    notes_supported: bool = True,
    formula_values: Mapping[tuple[str, str], Any] | None = None,
) -> dict[str, Any]:
    """The JSON an Office.js client would send for ``wb``; see the module docstring for caveats."""
    calc_mode = wb.calculation.calcMode if wb.calculation is not None else None
    return {
        "client": "Office.js",
        "version": xlwings.__version__,
        "book": {
            "name": book_name,
            "active_sheet_index": active_sheet_index,
            "selection": "A1",
            "calculation": _CALCULATION.get(calc_mode or "auto", "Automatic"),
        },
        "names": _names_payload(wb),
        "sheets": [_sheet_payload(ws, notes_supported, formula_values or {}) for ws in wb.worksheets],
    }


# --------------------------------------------------------------------------- actions


class AppliedActions(list[str]):
    """Names of actions ``apply_actions`` did not understand (tests assert it's empty), plus what
    the client would have shown or done outside the grid."""

    def __init__(self) -> None:
        super().__init__()
        self.alerts: list[dict[str, str]] = []
        self.saves = 0


def _cells(ws: Worksheet, action: Mapping[str, Any]) -> Iterator[tuple[int, int, Cell]]:
    """(i, j, cell) over the action's range; i, j are offsets inside it. Whole columns/rows
    (``A:A`` arrives as 1,048,576 rows) are clipped to the sheet's current extent."""
    rows, cols = action["row_count"], action["column_count"]
    if rows == _MAX_ROWS:
        rows = max(ws.max_row - action["start_row"], 1)
    if cols == _MAX_COLUMNS:
        cols = max(ws.max_column - action["start_column"], 1)
    for i in range(rows):
        for j in range(cols):
            yield i, j, ws.cell(action["start_row"] + i + 1, action["start_column"] + j + 1)


def _typed_input(cell: Cell, value: Any) -> Any:
    """What Excel stores when Office.js assigns ``value`` to ``cell.values``."""
    if value == "":
        return None
    if not isinstance(value, str) or value.startswith("=") or cell.number_format == "@":
        return value
    if _INT_RE.match(value):
        return int(value)
    if _NUMBER_RE.match(value):
        return float(value)
    if _ISO_DATE_RE.match(value):
        return dt.datetime.fromisoformat(value)
    return value


def _fill(color: str | None) -> PatternFill:
    if color is None:
        return PatternFill(fill_type=None)
    rgb = "FF" + color.lstrip("#").upper()  # Excel saves colours opaque: alpha FF
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def _set_note(cell: Cell, text: str, *, must_exist: bool) -> None:
    if (cell.comment is not None) != must_exist:
        state = "no note" if must_exist else "already a note"
        raise ValueError(f"{cell.parent.title}!{cell.coordinate} has {state}")
    cell.comment = Comment(text, NOTE_AUTHOR)


def apply_actions(wb: Workbook, actions: list[dict[str, Any]]) -> AppliedActions:
    """Apply xlwings' ``book.json()["actions"]`` to ``wb`` in order, like the Office.js client."""
    result = AppliedActions()
    for action in actions:
        func, args = action["func"], action.get("args") or []
        pos = action.get("sheet_position")
        ws = wb.worksheets[pos] if pos is not None else None
        if func in ("setValues", "setFormula"):
            values = action["values"]
            for i, j, cell in _cells(ws, action):
                v = values[i][j] if isinstance(values, list) else values
                if v is not None:  # Office.js leaves null entries unchanged
                    cell.value = _typed_input(cell, v) if func == "setValues" else v or None
        elif func == "setRangeColor":
            for _, _, cell in _cells(ws, action):
                cell.fill = _fill(args[0])
        elif func == "setRangeColors":
            for i, j, cell in _cells(ws, action):
                if args[0][i][j] != "keep":
                    cell.fill = _fill(args[0][i][j])
        elif func == "setNumberFormat":
            for _, _, cell in _cells(ws, action):
                cell.number_format = args[0]
        elif func == "setFontProperty":
            prop, value = args[0], args[1]  # bold, italic, size, color ("#RRGGBB"), name
            if prop == "color" and value is not None:
                value = value.lstrip("#").upper()
            for _, _, cell in _cells(ws, action):
                font = copy(cell.font)
                setattr(font, prop, value)
                cell.font = font
        elif func in ("addNote", "addComment", "setNoteText"):
            _set_note(ws[args[0].replace("$", "")], args[1], must_exist=func == "setNoteText")
        elif func == "deleteNote":
            ws[args[0].replace("$", "")].comment = None
        elif func == "rangeClearContents":
            for _, _, cell in _cells(ws, action):
                if not isinstance(cell, MergedCell):  # Excel clears a merged range via its top-left cell
                    cell.value = None
        elif func == "sheetClearContents":
            for row in ws.iter_rows():
                for cell in row:
                    if not isinstance(cell, MergedCell):
                        cell.value = None
        elif func == "addSheet":
            wb.create_sheet(title=args[1], index=args[0])
        elif func == "sheetDelete":
            wb.remove(ws)
        elif func == "setSheetName":
            ws.title = args[0]
        elif func == "setSheetVisibility":
            ws.sheet_state = {v: k for k, v in _VISIBILITY.items()}[args[0]]
        elif func == "setColumnWidth":
            chars = max((args[0] / 0.75 - 5) / 7, 0)  # points → pixels → Calibri 11 characters
            for j in range(action["column_count"]):
                ws.column_dimensions[get_column_letter(action["start_column"] + j + 1)].width = chars
        elif func == "alert":
            result.alerts.append(dict(zip(_ALERT_KEYS, args, strict=True)))
        elif func == "save":
            result.saves += 1
        elif func not in ("calculate", "setScreenUpdating"):
            result.append(func)
    return result
