"""Fonts, fills, borders and print set-up of the official sheets (openpyxl objects)."""

from __future__ import annotations

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from perfeval.layout import NUMBER_FORMATS, ROLE_FILLS, Cell, Role, VType

TITLE_FONT_NAME = "宋体"
BODY_FONT_NAME = "仿宋"
BODY_SIZE = 10.5

_IN, _DER = ROLE_FILLS[Role.INPUT], ROLE_FILLS[Role.DERIVED]
INPUT_FILL = PatternFill("solid", start_color=_IN, end_color=_IN)  # pale yellow: type here
DERIVED_FILL = PatternFill("solid", start_color=_DER, end_color=_DER)  # grey: computed
NO_FILL = PatternFill(fill_type=None)

THIN = Side(style="thin", color="FF000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)


def font_for(cell: Cell) -> Font:
    if cell.size is not None and cell.size >= 14:
        return Font(name=TITLE_FONT_NAME, size=cell.size, bold=True)
    return Font(name=BODY_FONT_NAME, size=cell.size or BODY_SIZE, bold=cell.bold)


def alignment_for(cell: Cell) -> Alignment:
    vertical = "top" if cell.vtype == VType.LONG_TEXT else "center"
    return Alignment(horizontal=cell.align, vertical=vertical, wrap_text=cell.wrap)


def fill_for(cell: Cell) -> PatternFill:
    if cell.role == Role.INPUT:
        return INPUT_FILL
    if cell.role == Role.DERIVED:
        return DERIVED_FILL
    return NO_FILL


def number_format_for(cell: Cell) -> str:
    if cell.role == Role.LABEL:
        return "General"
    return NUMBER_FORMATS.get(cell.vtype, "General")


def protection_for(cell: Cell) -> Protection:
    return UNLOCKED if cell.role == Role.INPUT else LOCKED
