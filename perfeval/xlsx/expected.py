"""Reading the list of units that should submit (``perfeval collect --expect 单位名单.xlsx|.csv``).

- ``.xlsx``: the first visible sheet; the column whose header is 单位 / 单位名称 / 预算单位 / 预算单位名称 (looked
  for in the first rows, under a title), else the first column holding text; blank rows, the header and a title
  line (…名单) are skipped.
- ``.csv``: UTF-8 with or without BOM, UTF-16 with BOM, or GBK/GB18030 (what Excel on Chinese Windows saves);
  separator comma, semicolon or tab (detected); the same column rule.
- Anything else, or a file that cannot be read: :class:`perfeval.xlsx.io.WorkbookError` with a Chinese message.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from perfeval import limits
from perfeval.xlsx.io import WorkbookError, open_workbook

#: headers naming the unit column (compared after width folding and without spaces)
UNIT_HEADERS = ("单位", "单位名称", "预算单位", "预算单位名称")
HEADER_SCAN_ROWS = 10  # a header is looked for in the first rows (a title may stand above it)
MAX_LIST_BYTES = 16 * 1024 * 1024  # a CSV list of 10⁵ units is about 3 MB


def _plain(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return ""  # a number is a 序号, never a unit's name
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split())


def _is_title_or_header(text: str) -> bool:
    """A line above the names: a header word of its own or a title such as “2023年度绩效自评报送单位名单”."""
    return text in UNIT_HEADERS or text in ("名称", "单位全称", "部门", "部门名称", "序号") or "名单" in text


def names_from_rows(rows: Sequence[Sequence[object]]) -> list[str]:
    """The unit names of a table given as rows of cell values (see the module notes)."""
    column: int | None = None
    start = 0
    for r, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        for c, value in enumerate(row):
            if _plain(value) in UNIT_HEADERS:
                column, start = c, r + 1
                break
        if column is not None:
            break
    if column is None:  # no header: the first column that holds text
        width = max((len(row) for row in rows), default=0)
        column = next((c for c in range(width) if any(_plain(row[c]) for row in rows if c < len(row))), None)
        if column is None:
            return []
        first = next((r for r, row in enumerate(rows) if column < len(row) and _plain(row[column])), len(rows))
        start = first + 1 if _is_title_or_header(_plain(rows[first][column])) else first
    names = []
    for row in rows[start:]:
        if column < len(row) and _plain(row[column]):
            names.append(" ".join(str(row[column]).split()))
    return names


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # GBK and its superset: Excel's “CSV” on Chinese Windows
    except UnicodeDecodeError:
        raise WorkbookError(f"无法识别单位名单 {name} 的文字编码（应为 UTF-8 或 GBK）。"
                            "请在 Excel/WPS 中另存为“CSV UTF-8”或 .xlsx 后重试。") from None


def _csv_rows(text: str) -> list[list[str]]:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise WorkbookError(f"{path} 是一个文件夹，不是单位名单文件")
    if not path.exists():
        raise WorkbookError(f"找不到单位名单文件：{path}")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_LIST_BYTES + 1)
    except OSError as exc:
        raise WorkbookError(f"无法读取单位名单 {path}：{exc.strerror or type(exc).__name__}") from exc
    if len(data) > MAX_LIST_BYTES:
        raise WorkbookError(f"单位名单 {path.name} 超过 {MAX_LIST_BYTES // 1024 // 1024} MB，不像是一份单位名单")
    return data


def _xlsx_rows(path: Path) -> list[list[object]]:
    try:
        wb = open_workbook(path, data_only=True)
    except WorkbookError as exc:
        raise WorkbookError(f"无法读取单位名单：{exc}") from exc
    visible = [ws for ws in wb.worksheets if ws.sheet_state == "visible"] or wb.worksheets
    ws = visible[0]
    rows: list[list[object]] = []
    for row in ws.iter_rows(max_row=min(ws.max_row, limits.MAX_SHEET_ROWS), values_only=True):
        rows.append(list(row))
    return rows


def read_expected(path: Path) -> list[str]:
    """The unit names of an expected-units list (``.xlsx`` or ``.csv``), in file order, blanks skipped."""
    path = Path(path)
    suffix = path.suffix.lower()
    rows: Sequence[Sequence[object]]
    if suffix in (".xlsx", ".xlsm"):
        if not path.exists():
            raise WorkbookError(f"找不到单位名单文件：{path}")
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(_decode(_read_bytes(path), path.name))
    elif suffix == ".xls":
        raise WorkbookError(f"单位名单 {path.name} 是旧版 .xls 文件：请在 Excel/WPS 中另存为 .xlsx 或 .csv 后重试")
    else:
        raise WorkbookError(f"不支持的单位名单文件类型：{path.name}（请使用 .xlsx 或 .csv）")
    names = names_from_rows(rows)
    if not names:
        raise WorkbookError(f"单位名单 {path.name} 中没有找到单位名称：请把单位名称放在第一个工作表中，"
                            "列标题为“单位名称”（或“单位”“预算单位”“预算单位名称”），每行一个单位。")
    return names


__all__ = ["UNIT_HEADERS", "names_from_rows", "read_expected"]
