"""What tells a project sheet from any other: its printed title. Kept apart from the layout and the model so that
recognising a workbook (every command asks each pack) does not import them for a workbook of another form."""

from __future__ import annotations

from perfeval.reading import BookGrid, SheetGrid, prints_title

TITLE = "项目支出绩效自评表"


def is_project_sheet(ws: SheetGrid) -> bool:
    """Whether the top rows of ``ws`` print the title 项目支出绩效自评表."""
    return prints_title(ws, TITLE)


def project_sheets(wb: BookGrid) -> list[str]:
    return [name for name in wb.sheetnames if is_project_sheet(wb[name])]


__all__ = ["TITLE", "is_project_sheet", "project_sheets"]
