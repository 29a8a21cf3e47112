"""Reading a 自评报告 from a Word ``.docx`` (python-docx): paragraphs and tables in document order.

Returns the blocks :meth:`perfeval.report.text.ReportDocument.from_blocks` takes (a paragraph's text, or a table
as rows of cell texts; a cell merged across columns is read once per row). The engine decides what the text says.
"""

from __future__ import annotations

import io
from typing import Any


def read_blocks(data: bytes) -> list[str | list[list[str]]]:
    """The body of a .docx, in order; ``ValueError`` (python-docx's, or a zip/XML error) for a file that is not one."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document: Any = Document(io.BytesIO(data))
    blocks: list[str | list[list[str]]] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(item.text)
        elif isinstance(item, Table):
            rows: list[list[str]] = []
            for row in item.rows:
                cells: list[str] = []
                seen: set[int] = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                        continue
                    seen.add(id(cell._tc))
                    cells.append(cell.text)
                rows.append(cells)
            blocks.append(rows)
    return blocks


__all__ = ["read_blocks"]
