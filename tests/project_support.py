"""Helpers for the project pack's tests: the example, and a report laid out as the value grid a live Excel shows
(what the add-in reads through xlwings), so the reader can be tested without the file layer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from perfeval.forms.project import FORM
from perfeval.forms.project.model import ProjectBook
from perfeval.layout import Layout, Role, VType
from perfeval.paths import get_path, level1_label
from perfeval.reading import ValuesBook
from perfeval.sheets import CALC_SHEET

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE = "huaihua-2023-projects.json"


def load_projects(name: str = EXAMPLE) -> ProjectBook:
    book = FORM.parse_json((EXAMPLES / name).read_text(encoding="utf-8"))
    assert isinstance(book, ProjectBook)
    return book


def as_read(book: ProjectBook) -> ProjectBook:
    """What reading a workbook of ``book`` gives back: the JSON-only note is not in the workbook."""
    return book.model_copy(update={"note": ""})


def _value(cell_value: Any) -> Any:
    if isinstance(cell_value, str):
        return cell_value or None
    return cell_value


def grid(book: ProjectBook, layout: Layout | None = None, overrides: dict[tuple[str, str], Any] | None = None,
         ) -> ValuesBook:
    """The official sheets of ``book`` as values (labels printed, inputs typed, derived cells blank unless the
    report states a value); ``overrides`` sets (sheet, address) afterwards."""
    layout = layout or FORM.layout_for(book)
    sheets: dict[str, list[list[Any]]] = {}
    for name in layout.official:
        sl = layout.sheets[name]
        rows: list[list[Any]] = [[None] * 9 for _ in range(sl.last_row)]
        for cell in sl.cells:
            r, c = (int("".join(ch for ch in cell.address if ch.isdigit())),
                    ord(cell.address[0]) - 64)
            if cell.role == Role.LABEL:
                value: Any = cell.text or None
            elif cell.vtype == VType.LEVEL1:
                assert cell.path is not None
                value = level1_label(get_path(book, cell.path))
            else:
                assert cell.path is not None
                value = _value(get_path(book, cell.path))
            if isinstance(value, Decimal):
                value = float(value)
            rows[r - 1][c - 1] = value
        sheets[name] = rows
    for (sheet, address), value in (overrides or {}).items():
        r, c = int(address[1:]), ord(address[0]) - 64
        sheets[sheet][r - 1][c - 1] = value
    assert CALC_SHEET not in sheets
    return ValuesBook(sheets)
