"""The largest input perfeval supports, in one place.

Two kinds of limit:

- **The largest report** (:data:`MAX_PROJECTS` 项目支出 rows on 附件1-1, :data:`MAX_INDICATOR_ROWS` 三级指标
  rows on 附件1-2). Up to them every command grows linearly with the size of the report
  (``benchmarks/bench.py --scaling`` measures it against a bare openpyxl load+save of the same file);
  above them ``new``, ``fill`` and reading a workbook stop with a Chinese message (exit code 2). Real
  units have tens of projects and indicator rows; the limits leave room for a hundred times that.
- **What a workbook file may contain** before openpyxl parses anything (checked by
  :mod:`perfeval.xlsx.guard`): the size of the file and of each part of its zip package, the number of
  parts, rows, cells, shared strings and XML elements, the length of a cell's text. They bound the time and
  memory of every command on any file — a zip bomb, an XML entity bomb, a sheet claiming a million rows —
  to a few seconds and a few hundred MB, and are far above what a report at the limits above produces
  (a workbook with 5,000 projects and 1,000 indicator rows is 0.3 MB: 50,000 cells, 3 MB of XML).

Cell text follows Excel: a cell holds at most 32,767 characters (longer text cannot come from Excel);
formulas at most 8,192.

This module is part of the engine: no openpyxl. :class:`LimitError` carries the Chinese message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

# --- the largest report ---------------------------------------------------------------------------
MAX_PROJECTS = 5_000  # 项目支出 rows on 附件1-1
MAX_INDICATOR_ROWS = 1_000  # 三级指标 rows on 附件1-2 (all 一级/二级 groups together)
#: 项目支出绩效自评表: the most project sheets one workbook may hold, and the most 三级 rows of all its sheets
#: together (a workbook at these limits stays well within the file limits below)
MAX_PROJECT_SHEETS = 500
MAX_BOOK_INDICATOR_ROWS = 5 * MAX_INDICATOR_ROWS

# --- a data file for ``fill`` (JSON) --------------------------------------------------------------
MAX_DATA_BYTES = 16 * 1024 * 1024  # a report at the limits with long texts is about 2 MB
MAX_DATA_VALUES = 100_000  # JSON values, objects and arrays (a report at the limits has about 40,000)
MAX_DATA_TOKEN = 400  # characters of one number or literal outside strings

# --- a workbook file ------------------------------------------------------------------------------
MAX_FILE_BYTES = 50 * 1024 * 1024  # the .xlsx itself (compressed)
MAX_PARTS = 2_000  # entries of the zip package
MAX_PART_BYTES = 64 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL_BYTES = 256 * 1024 * 1024  # all parts, uncompressed
MAX_RATIO = 200  # uncompressed / compressed size of a part above RATIO_MIN_BYTES (XML of a form: ~10)
RATIO_MIN_BYTES = 1024 * 1024
MAX_SHEET_ROWS = 50_000  # highest row used on any sheet (cells, row records, dimension, merges, comments)
MAX_SHEET_COLS = 16_384  # column XFD, Excel's last
MAX_SHEET_AREA = 5_000_000  # rows x columns of a sheet's used range (code that walks the range pads it)
MAX_CELLS = 200_000  # cell records of all sheets together (the largest report has 50,000)
MAX_ROW_RECORDS = 200_000  # row records of all sheets together
MAX_RANGE_CELLS = 200_000  # cells openpyxl creates for merged ranges, hyperlink ranges and comments
MAX_SHARED_STRINGS = 200_000  # entries of the shared string table
MAX_ELEMENTS = 3_000_000  # XML elements of all parts together (bounds the parsing time)
MAX_TREE_ELEMENTS = 200_000  # XML elements of one part openpyxl parses as a whole tree (styles, comments…)
MAX_COMMENTS = 10_000  # notes (批注) of all sheets together
MAX_SHEET_RULES = 10_000  # conditional formatting rules, data validations and hyperlinks of all sheets together
MAX_STYLE_RECORDS = 64_000  # cell formats (xf), fonts, fills, borders… each (Excel: 64,000 cell formats)
MAX_CELL_TEXT = 32_767  # characters of one cell, comment or shared string (Excel's limit)
MAX_FORMULA_TEXT = 8_192  # characters of one formula (Excel's limit)
MAX_XML_TEXT = 4 * 1024 * 1024  # characters of any other text node


class LimitError(Exception):
    """The input is beyond what perfeval supports (too large, or not a regular file); ``str()`` is a Chinese
    message."""


def check_shape(n_projects: int, n_indicator_rows: int = 0) -> None:
    """Refuse a report larger than the largest supported one."""
    if n_projects > MAX_PROJECTS:
        raise LimitError(f"项目支出共 {n_projects} 行，超过本工具支持的上限 {MAX_PROJECTS} 行"
                         "（请核对是否误填；如确需更多行，请联系维护人员）")
    if n_indicator_rows > MAX_INDICATOR_ROWS:
        raise LimitError(f"三级指标共 {n_indicator_rows} 行，超过本工具支持的上限 {MAX_INDICATOR_ROWS} 行"
                         "（请核对是否误填；如确需更多行，请联系维护人员）")


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_LONG_TOKEN = re.compile(r"[^\s{}\[\],:]{" + str(MAX_DATA_TOKEN + 1) + ",}")


def _decoded(literal: str) -> str:
    try:
        value = json.loads(literal)
    except ValueError:
        return literal
    return value if isinstance(value, str) else literal


def check_data_text(text: str, name: str) -> None:
    """Refuse a data file (JSON) too large to be a report within the limits, before it is parsed: the
    number of values, objects and arrays bounds the memory of the parser and of the model (pydantic checks
    a list's length only after validating every item)."""
    if len(text) > MAX_DATA_BYTES:
        raise LimitError(f"数据文件 {name} 过大（{len(text) / 1024 / 1024:.0f} MB），超过本工具支持的上限 "
                         f"{MAX_DATA_BYTES // 1024 // 1024} MB")
    skeleton = _JSON_STRING.sub('""', text)
    values = skeleton.count(",") + skeleton.count("{") + skeleton.count("[")
    if values > MAX_DATA_VALUES:
        raise LimitError(f"数据文件 {name} 含有约 {values} 个数据项，超过本工具支持的上限 {MAX_DATA_VALUES} 个"
                         f"（最多 {MAX_PROJECTS} 个项目、{MAX_INDICATOR_ROWS} 行三级指标）")
    for m in _JSON_STRING.finditer(text):
        if m.end() - m.start() > MAX_CELL_TEXT + 2 and len(_decoded(m.group())) > MAX_CELL_TEXT:
            length = len(_decoded(m.group()))
            raise LimitError(f"数据文件 {name} 中有一段文字长达 {length} 个字符，"
                             f"超过 Excel 单元格的上限 {MAX_CELL_TEXT} 个字符")
    long_token = _LONG_TOKEN.search(skeleton)
    if long_token is not None:
        raise LimitError(f"数据文件 {name} 中有一个长达 {len(long_token.group())} 个字符的数值（或未闭合的引号），"
                         f"超过本工具支持的上限 {MAX_DATA_TOKEN} 个字符")


def read_json_text(path: Path, what: str, error: Callable[[str], Exception]) -> str:
    """The text of a JSON file the user names (``what``: 数据文件, 配置文件), through :func:`read_data_file`, with
    one Chinese message per way of failing, raised as ``error(message)``."""
    if path.is_dir():
        raise error(f"{what}路径是一个文件夹：{path}（请给出 .json 文件）")
    try:
        return read_data_file(path, what)
    except FileNotFoundError as exc:
        raise error(f"找不到{what}：{path}") from exc
    except UnicodeDecodeError as exc:
        raise error(f"{what}不是 UTF-8 编码的文本：{path}（请用记事本另存为 UTF-8）") from exc
    except OSError as exc:
        raise error(f"无法读取{what} {path}：{exc.strerror or exc}") from exc


def read_data_file(path: Path, what: str = "数据文件") -> str:
    """The text of a data file (UTF-8 JSON), read no further than :data:`MAX_DATA_BYTES` and checked by
    :func:`check_data_text`. ``FileNotFoundError`` and ``UnicodeDecodeError`` are left to the caller."""
    if path.exists() and not path.is_file():  # a folder, a device, a pipe
        raise LimitError(f"{path} 不是普通文件，无法作为{what}读取")
    with path.open("rb") as fh:
        raw = fh.read(MAX_DATA_BYTES + 1)
    if len(raw) > MAX_DATA_BYTES:
        raise LimitError(f"{what} {path.name} 超过本工具支持的上限 {MAX_DATA_BYTES // 1024 // 1024} MB")
    text = raw.decode("utf-8-sig")  # a BOM (Windows Notepad) is accepted
    check_data_text(text, path.name)
    return text
