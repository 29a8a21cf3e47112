"""Inspect a workbook file before openpyxl parses anything.

openpyxl trusts the file it is given: it inflates every part in memory, builds a tree of whole parts (styles,
comments, drawings), allocates a cell object for every cell a sheet, a merged range, a hyperlink range or a
comment mentions, and keeps every shared string. A file of a few kilobytes can therefore ask for gigabytes
(a zip bomb, a shared-strings bomb, ``<mergeCell ref="A1:XFD1048576"/>``) or for minutes of work (a million
row records). :func:`inspect_package` reads the file's bytes once and refuses, with a Chinese message, what
cannot be a workbook within :mod:`perfeval.limits`:

- not a zip (empty, truncated, an OLE compound file — an encrypted .xlsx or a real .xls —, a CSV or HTML
  table renamed .xlsx), a foreign zip (a Word document, any other archive), an encrypted or unsupported
  compression method;
- too many parts; a part, or all parts together, larger than the limits once inflated; an absurd
  compression ratio (a zip bomb, also one hidden in a part openpyxl would not look at);
- in every XML part (streamed with expat, in bounded memory): a document type declaration (the only way to
  declare entities: entity expansion, external entities), malformed XML, too many elements; in sheets,
  shared strings and comments: rows or columns beyond the limits (cells, row records, the ``<dimension>``,
  merged ranges, hyperlinks, comments), too many cells or strings, a text longer than Excel allows.

openpyxl then still parses through defusedxml (``openpyxl.xml.DEFUSEDXML``), a second line of defence.
Declared sizes can be trusted after this check: :mod:`zipfile` stops inflating a part at its declared size
and fails on the checksum.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote
from xml.parsers import expat

from perfeval import a1, limits

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what Excel writes (ECMA-376 part 2)
WORKBOOK_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
)
_CHUNK = 1 << 20
_SHEET_ROOTS = {"worksheet", "chartsheet", "dialogsheet", "macrosheet"}
_STREAMED_ROOTS = _SHEET_ROOTS | {"sst"}  # openpyxl parses these incrementally; everything else as a tree
_RULES = {"cfRule", "dataValidation", "hyperlink"}
_STYLE_RECORDS = {"xf", "dxf", "font", "fill", "border", "numFmt", "cellStyle"}


class PackageRefused(Exception):
    """The file is refused before parsing; ``str()`` is a Chinese message for the user."""


@dataclass
class PackageStats:
    """What the inspection counted (used by tests and the benchmark)."""

    parts: int = 0
    total_bytes: int = 0
    elements: int = 0
    cells: int = 0
    row_records: int = 0
    range_cells: int = 0
    shared_strings: int = 0
    comments: int = 0
    comment_max_col: int = 0  # a note creates its cell: it widens its sheet's used range
    rules: int = 0
    max_row: dict[str, int] = field(default_factory=dict)  # part name → highest row used


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """"B7" → (7, 2); None when it is not a plain cell reference."""
    return a1.parse(ref)


def _range_ref(ref: str) -> tuple[int, int, int, int] | None:
    """"A1:C3" (or "A1") → (first row, first col, last row, last col)."""
    first, _, last = ref.strip().partition(":")
    a = _cell_ref(first)
    b = _cell_ref(last) if last else a
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def _sniff(head: bytes, name: str) -> str:
    """The message for a file that is not a zip package."""
    if head.startswith(OLE_MAGIC):
        return (f"{name}：文件已加密（设置了打开密码）或是旧版 .xls，请在 Excel 中另存为无密码的 .xlsx"
                "（“文件”→“另存为”，类型选“Excel 工作簿 (*.xlsx)”；如设有密码，"
                "先在“文件”→“信息”→“保护工作簿”中删除密码）")
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<?xml") and b"urn:schemas-microsoft-com:office:spreadsheet" in text:
        return f"{name}：这是 Excel 2003 XML 表格，只是扩展名为 .xlsx；请在 Excel 中打开后另存为 .xlsx 工作簿"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head")) or b"<html" in text[:1024]:
        return (f"{name}：这是网页（HTML）格式的表格，只是扩展名为 .xlsx（常见于从业务系统导出的文件）；"
                "请在 Excel 中打开后另存为 .xlsx 工作簿")
    if b"\x00" not in head and any(sep in head for sep in (b",", b"\t", b"\n", b";")):
        for encoding in ("utf-8", "gb18030"):
            try:
                head.decode(encoding)
            except UnicodeDecodeError:
                continue
            return (f"{name}：这是文本文件（如 CSV），不是 Excel 工作簿，只是扩展名为 .xlsx；"
                    "请在 Excel 中打开后另存为 .xlsx 工作簿")
    return f"{name}：文件已损坏或不是 Excel 工作簿（.xlsx）"


_OVERRIDE = re.compile(r"<(?:\w+:)?Override\b[^>]*>")
_ATTR = re.compile(r'(\w+)\s*=\s*["\']([^"\']*)["\']')


def _foreign(zf: zipfile.ZipFile, content_types: bytes, name: str, parts: set[str],
             read: Callable[[str], bytes] | None = None) -> str | None:
    """The message for a zip package that is not a workbook, judged by its [Content_Types].xml (the workbook
    part it names must exist); ``read``: how to read a part (default ``zf.read``)."""
    text = content_types.decode("utf-8", "replace")
    if any(t in text for t in WORKBOOK_CONTENT_TYPES):
        for m in _OVERRIDE.finditer(text):
            attrs = dict(_ATTR.findall(m.group()))
            if attrs.get("ContentType") in WORKBOOK_CONTENT_TYPES:
                part = attrs.get("PartName", "").lstrip("/")
                if part and part not in parts:
                    return f"{name}：文件不完整，缺少工作簿部件 {part}，无法作为 Excel 工作簿打开"
                if part:
                    return _missing_dependents(read or zf.read, part, parts, name)
        return None
    if "wordprocessingml" in text:
        return f"{name}：这是 Word 文档，不是 Excel 工作簿"
    if "presentationml" in text:
        return f"{name}：这是 PowerPoint 演示文稿，不是 Excel 工作簿"
    if "opendocument" in text:
        return f"{name}：这是 OpenDocument 文件，请在 WPS/LibreOffice 中另存为 .xlsx 工作簿"
    return f"{name}：这个压缩包不是 Excel 工作簿（找不到工作簿部件）"


_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b[^>]*>")
_NEEDED = ("/worksheet", "/styles", "/sharedStrings")
def _missing_dependents(read: Callable[[str], bytes], workbook: str, parts: set[str], name: str) -> str | None:
    """A sheet, the styles or the shared strings the workbook part refers to but the package lacks."""
    folder, _, leaf = workbook.rpartition("/")
    rels = f"{folder}/_rels/{leaf}.rels" if folder else f"_rels/{leaf}.rels"
    if rels not in parts:
        return None
    text = read(rels).decode("utf-8", "replace")
    for m in _RELATIONSHIP.finditer(text):
        attrs = dict(_ATTR.findall(m.group()))
        if attrs.get("TargetMode") == "External" or not attrs.get("Type", "").endswith(_NEEDED):
            continue
        target = unquote(attrs.get("Target", ""))
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"{folder}/{target}")
        if path not in parts:
            return f"{name}：文件不完整，缺少部件 {path}，无法作为 Excel 工作簿打开"
    return None


class _PartScanner:
    """Streams one XML part through expat, counting what openpyxl will allocate for it."""

    def __init__(self, part: str, stats: PackageStats, name: str) -> None:
        self.part = part
        self.stats = stats
        self.name = name
        self.root: str | None = None
        self.elements = 0
        self.row = 0
        self.col = 0
        self.max_row = 0
        self.max_col = 0
        self.text_kind: str | None = None  # "cell" / "formula" / "string" / "comment" while inside one
        self.text_len = 0
        self.other_text = 0
        self.depth = 0
        self.text_depth = 0
        self.style_records: dict[str, int] = {}
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.buffer_text = True
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._entity
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._text
        self.parser = parser

    # --- refusals -----------------------------------------------------------------------------------
    def refuse(self, what: str) -> PackageRefused:
        return _refusal(self.name, self.part, what)

    def _doctype(self, *_: object) -> None:
        raise self.refuse(_DOCTYPE)

    def _entity(self, *_: object) -> None:
        raise self.refuse(_ENTITY)

    def _row_limit(self, row: int, what: str) -> None:
        if row > self.max_row:
            self.max_row = row
            if row > limits.MAX_SHEET_ROWS:
                raise PackageRefused(
                    f"{self.name}：工作表的{what}用到第 {row} 行，超过本工具支持的 {limits.MAX_SHEET_ROWS} 行"
                    f"（部件 {self.part}）。请删除多余的行（或整张多余的工作表）后另存再试")
            self._area()

    def _col_limit(self, col: int, used: bool = True) -> None:
        """``used``: the column belongs to the used range (a cell, a merge…), not just to column widths."""
        if col > limits.MAX_SHEET_COLS:
            raise self.refuse(f"单元格列号 {col} 超出 Excel 的最大列 XFD")
        if used and col > self.max_col:
            self.max_col = col
            self._area()

    def _area(self) -> None:
        if self.max_row * self.max_col > limits.MAX_SHEET_AREA:
            raise PackageRefused(
                f"{self.name}：工作表的已用区域达到 {self.max_row} 行 × {self.max_col} 列，超过本工具支持的 "
                f"{limits.MAX_SHEET_AREA} 个单元格（部件 {self.part}）。请删除远处多余的单元格后另存再试")

    def _range(self, ref: str | None, what: str) -> None:
        if not ref:
            return
        for one in ref.split():
            bounds = _range_ref(one)
            if bounds is None:
                continue  # openpyxl judges it (and fails cleanly)
            r1, c1, r2, c2 = bounds
            self._row_limit(r2, what)
            self._col_limit(c2)
            self.stats.range_cells += (r2 - r1 + 1) * (c2 - c1 + 1)
            if self.stats.range_cells > limits.MAX_RANGE_CELLS:
                raise self.refuse(f"合并单元格、超链接或批注覆盖的单元格超过 {limits.MAX_RANGE_CELLS} 个")

    # --- handlers -----------------------------------------------------------------------------------
    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        self.depth += 1
        self.elements += 1
        self.stats.elements += 1
        if self.stats.elements > limits.MAX_ELEMENTS:
            raise self.refuse(f"XML 元素总数超过 {limits.MAX_ELEMENTS} 个")
        if self.root is None:
            self.root = local
        elif self.root not in _STREAMED_ROOTS and self.elements > limits.MAX_TREE_ELEMENTS:
            raise self.refuse(f"一个部件中的 XML 元素超过 {limits.MAX_TREE_ELEMENTS} 个")
        self.other_text = 0
        root = self.root
        if root in _SHEET_ROOTS:
            self._sheet_element(local, attrs)
        elif root == "sst" and local == "si":
            self.stats.shared_strings += 1
            if self.stats.shared_strings > limits.MAX_SHARED_STRINGS:
                raise self.refuse(f"共享字符串超过 {limits.MAX_SHARED_STRINGS} 个")
            self._text_start("string")
        elif root == "comments" and local == "comment":
            self.stats.comments += 1
            if self.stats.comments > limits.MAX_COMMENTS:
                raise self.refuse(f"批注超过 {limits.MAX_COMMENTS} 条")
            self._range(attrs.get("ref"), "批注")
            self._text_start("comment")
        elif root == "styleSheet" and local in _STYLE_RECORDS:
            n = self.style_records[local] = self.style_records.get(local, 0) + 1
            if n > limits.MAX_STYLE_RECORDS:
                raise self.refuse(f"单元格格式（{local}）超过 {limits.MAX_STYLE_RECORDS} 种（Excel 的上限）")

    def _sheet_element(self, local: str, attrs: dict[str, str]) -> None:
        if local == "row":
            r = attrs.get("r")
            self.row = int(r) if r and r.isdigit() and len(r) <= 9 else self.row + 1
            self.col = 0
            self._row_limit(self.row, "行记录")
            self.stats.row_records += 1
            if self.stats.row_records > limits.MAX_ROW_RECORDS:
                raise self.refuse(f"行记录总数超过 {limits.MAX_ROW_RECORDS} 个")
        elif local == "c":
            ref = _cell_ref(attrs.get("r") or "")
            if ref is not None:
                row, self.col = ref
            else:
                row, self.col = self.row, self.col + 1
            self._row_limit(row, "单元格")
            self._col_limit(self.col)
            self.stats.cells += 1
            if self.stats.cells > limits.MAX_CELLS:
                raise self.refuse(f"单元格总数超过 {limits.MAX_CELLS} 个")
            self._text_start("cell")
        elif local == "f" and self.text_kind == "cell":
            self.text_kind, self.text_len = "formula", 0
        elif local == "dimension":
            bounds = _range_ref(attrs.get("ref") or "")
            if bounds is not None:
                self._row_limit(bounds[2], "已用区域（dimension）")
                self._col_limit(bounds[3])
        elif local == "mergeCell":
            self._range(attrs.get("ref"), "合并单元格")
        elif local == "hyperlink":
            self._range(attrs.get("ref"), "超链接")
        if local in _RULES:
            self.stats.rules += 1
            if self.stats.rules > limits.MAX_SHEET_RULES:
                raise self.refuse(f"条件格式、数据验证和超链接合计超过 {limits.MAX_SHEET_RULES} 条")
        elif local == "col":
            for key in ("min", "max"):
                v = attrs.get(key, "")
                if v.isdigit() and (len(v) > 9 or int(v) > limits.MAX_SHEET_COLS):
                    self._col_limit(int(v) if len(v) <= 9 else limits.MAX_SHEET_COLS + 1, used=False)

    def _text_start(self, kind: str) -> None:
        self.text_kind, self.text_len, self.text_depth = kind, 0, self.depth

    def _end(self, tag: str) -> None:
        if self.text_kind is not None:
            local = tag.rpartition(" ")[2]
            if self.text_kind == "formula" and local == "f":
                self.text_kind, self.text_len = "cell", 0
            elif self.depth == self.text_depth:
                self.text_kind = None
        self.depth -= 1
        self.other_text = 0

    def _text(self, data: str) -> None:
        kind = self.text_kind
        if kind is None:
            self.other_text += len(data)
            if self.other_text > limits.MAX_XML_TEXT:
                raise self.refuse(f"一段文字超过 {limits.MAX_XML_TEXT} 个字符")
            return
        self.text_len += len(data)
        limit = limits.MAX_FORMULA_TEXT if kind == "formula" else limits.MAX_CELL_TEXT
        if self.text_len > limit:
            what = {"formula": "一个公式", "comment": "一条批注", "string": "一个单元格的文字",
                    "cell": "一个单元格的文字"}[kind]
            raise PackageRefused(
                f"{self.name}：{what}超过 {limit} 个字符（Excel 的上限），这不是 Excel 能保存的内容"
                f"（部件 {self.part}）。请缩短该内容后再试")

    def feed(self, data: bytes, final: bool = False) -> None:
        _feed(self.parser, data, final, self.name, self.part)


def _refusal(name: str, part: str, what: str) -> PackageRefused:
    return PackageRefused(f"{name}：{what}（部件 {part}）。本工具不处理这样的文件；"
                          "如文件来自 Excel/WPS，请在其中另存为 .xlsx 后重试")


_DOCTYPE = "含有 XML 文档类型声明（DOCTYPE，可用于实体扩展或引用外部文件），Excel 不会写出这样的内容"
_ENTITY = "含有 XML 实体声明"


def _feed(parser: expat.XMLParserType, data: bytes, final: bool, name: str, part: str) -> None:
    try:
        parser.Parse(data, final)
    except expat.ExpatError as exc:
        raise _refusal(name, part, f"不是有效的 XML（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行），文件已损坏") \
            from exc
    except (LookupError, ValueError) as exc:  # an encoding expat does not know
        raise _refusal(name, part, "不是有效的 XML（声明了无法识别的字符编码），文件已损坏") from exc


def _parse_lean(body: bytes, name: str, part: str) -> None:
    """What _PartScanner's parse refuses when no count matters: malformed XML, a document type or entity
    declaration — with the same messages, at expat's own speed (no Python call per element). Fed as _scan_xml
    feeds a part (chunks of ``_CHUNK`` bytes, then the end); in one call when it fits one chunk, which expat
    answers with the same errors at the same lines, faster."""
    parser = expat.ParserCreate(namespace_separator=" ")  # as _PartScanner: namespace errors too

    def declared(*_: object) -> None:
        raise _refusal(name, part, _DOCTYPE)

    def entity(*_: object) -> None:
        raise _refusal(name, part, _ENTITY)

    parser.StartDoctypeDeclHandler = declared
    parser.EntityDeclHandler = entity
    if len(body) <= _CHUNK:
        _feed(parser, body, True, name, part)
        return
    for i in range(0, len(body), _CHUNK):
        _feed(parser, body[i:i + _CHUNK], False, name, part)
    _feed(parser, b"", True, name, part)


def _scan_vml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Legacy VML is not always well-formed XML; refuse only declarations."""
    with zf.open(info) as fh:
        tail = b""
        while chunk := fh.read(_CHUNK):
            window = (tail + chunk).lower()
            if b"<!doctype" in window or b"<!entity" in window:
                raise PackageRefused(f"{name}：含有 XML 文档类型声明（部件 {info.filename}），Excel 不会写出这样的内容")
            tail = window[-16:]


def _scan_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo, stats: PackageStats, name: str) -> None:
    scanner = _PartScanner(info.filename, stats, name)
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            scanner.feed(chunk)
        scanner.feed(b"", final=True)
    if scanner.root in _SHEET_ROOTS:
        stats.max_row[info.filename] = scanner.max_row
    elif scanner.root == "comments":
        stats.comment_max_col = max(stats.comment_max_col, scanner.max_col)


def _is_xml(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    lower = info.filename.lower()
    if lower.endswith((".xml", ".rels")):
        return True
    if lower.endswith(".vml") or info.file_size == 0:
        return False
    with zf.open(info) as fh:
        head = fh.read(64)
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").startswith(b"<")


# --------------------------------------------------------------------------- the quick path
#
# check_package replaces the per-element counting of _PartScanner by upper bounds read in C (regular expressions,
# bytes.find/count), then lets expat parse each part without element callbacks. A bound that holds for all the
# bytes of a part also holds for the prefix the full scan reads before it stops (at the end or at an expat error).
# What the full scan counts, and how the bytes show it:
#
# - an element is reported only once its whole start tag has been read; start tags are disjoint, take at least
#   3 bytes ("<a>") and begin with the only "<" of the tag;
# - "<" occurs nowhere inside an attribute value or a text (expat stops there with an error); it does occur inside
#   comments, CDATA sections and processing instructions, so a part holding "<!" — or a counted part (a sheet, the
#   shared strings, comments, styles) holding "<?" after its root tag — goes to the full scan;
# - counted elements are recognised by local name whatever their prefix, so a counted part with a prefixed element
#   tag goes to the full scan; unprefixed, "<c" followed by a tab, line break, space, "/" or ">" is exactly the
#   start tag of a c element (likewise every other name);
# - a text counts characters, at most its UTF-8 bytes: a part declaring another encoding goes to the full scan.
#
# Whatever these bounds cannot prove within every limit goes to inspect_package, which decides and words it.

_ROOT = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*<([A-Za-z_][\w.:-]*)[\t\n\r />]")
_ENCODING = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)")
# a prefixed start or end tag of an element the full scan counts (or a colon before such a name elsewhere: only
# more); the colon is rare in a sheet written by perfeval
_PREFIXED_TAG = re.compile(rb":(?:c|row|f|col|mergeCell|dimension|hyperlink|cfRule|dataValidation|si|comment"
                           rb"|xf|dxf|font|fill|border|numFmt|cellStyle)[\t\n\r />]")
_COUNTED_ROOTS = _SHEET_ROOTS | {"sst", "comments", "styleSheet"}
_OTHER = rb"(?![^\t\n\r />]"  # after "<name": not a longer name (then "|…)": nor followed by …)
# What a sheet may hold for its bounds to need no Python loop, all checked by one search (_ODD finds the first
# exception): a cell's first attribute is r, a column A–Z and a row up to 9999; a row's r is a number up to 9999; a
# column width's attributes are written ' name="value"' and no value is 5 digits or more (nor holds "&" or a
# non-ASCII byte: the full scan reads a min or max of digits — any Unicode digits — as a column); no conditional
# format (the other rules are looked for apart). After an exception, the sheet is looked at closer: _STRICT_CELL,
# _STRICT_ROW, exact maxima, _cols_within, the rules counted.
_ODD = re.compile(rb'<(?:c(?:' + _OTHER + rb'| r="[A-Z][1-9][0-9]{0,3}")'
                  rb'|ol' + _OTHER + rb'|(?: [A-Za-z]+="(?![0-9]{5})[^"<>&\x80-\xff]*")* ?/?>)|fRule[\t\n\r />])'
                  rb'|row' + _OTHER + rb'| r="[0-9]{1,4}"))')
# beyond these forms (a cell or row placed by counting, r not the first attribute, a reference a1.parse reads
# differently from the patterns…) the full scan decides
_STRICT_CELL = re.compile(rb'<c' + _OTHER + rb'| r="[A-Za-z]{1,3}[1-9][0-9]{0,8}")')
_STRICT_ROW = re.compile(rb'<row' + _OTHER + rb'| r="[0-9]{1,9}")')
_TAG_COL = re.compile(rb"<col[\t\n\r />]")
_WHOLE_TAG = re.compile(  # a whole tag as expat reads it (quoted values: no "<" inside, ">" may be)
    rb"""<[^\t\n\r />]+((?:[\t\n\r ]+[^\t\n\r =/>]+[\t\n\r ]*=[\t\n\r ]*(?:"[^"<]*"|'[^'<]*'))*)"""
    rb"""[\t\n\r ]*/?>""")
_TAG_ATTR = re.compile(rb"""([^\t\n\r =]+)[\t\n\r ]*=[\t\n\r ]*(?:"([^"]*)"|'([^']*)')""")
_CELL_COLS = re.compile(rb'<c r="([A-Za-z]+)')
_CELL_ROWS = re.compile(rb'<c r="[A-Za-z]+([0-9]+)')
_ROW_ROWS = re.compile(rb'<row r="([0-9]+)')
# every attribute named ref (after the space every attribute follows), however spaced and quoted: the ranges of
# merged cells, hyperlinks, comments and the dimension (and more — a shared formula's, "ref" in a text: bounds only
# grow, or the part goes to the full scan). A match cannot hide a later one: it would hold that one's "ref" in its
# value, which then holds lower-case letters (see _ranges). The lookbehind follows the literal start "ref", which
# sre searches fast
_ATTR_REF = re.compile(rb"""ref(?<=[\t\n\r ]ref)[\t\n\r ]*=[\t\n\r ]*(?:"([^"]*)"|'([^']*)')""")
_REF_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789: "
_ATTR_REF_DQ = re.compile(rb"""ref(?<=[\t\n\r ]ref)[\t\n\r ]*=[\t\n\r ]*"([^"]*)\"""")  # where no "'" occurs
_LETTERS_TO_SPACE = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ:", b" " * 27)
_TAG_F = re.compile(rb"<f[\t\n\r />]")
_TAG_SI = re.compile(rb"<si[\t\n\r />]")
_TAG_COMMENT = re.compile(rb"<comment[\t\n\r />]")
_TAG_RULE = re.compile(rb"<(?:cfRule|dataValidation|hyperlink)[\t\n\r />]")
_TAG_STYLE = re.compile(rb"<(?:xf|dxf|font|fill|border|numFmt|cellStyle)[\t\n\r />]")
_CELL = b'<c r="'  # in a sheet that passed _SHEET_STRICT: exactly the start of every c element
_ROW = b'<row r="'
_SMALL_PART = 3 * 65536  # below it, a part's length / 3 bounds its elements closely enough (no count)

_Find = Callable[[int, int], int]


def _after(data: bytes, start: int, mark: bytes) -> bool:
    """Whether ``b"<" + mark`` occurs in ``data`` from ``start`` (``mark``: one rare byte, found with memchr)."""
    p = data.find(mark, start)
    for _ in range(32):
        if p < 0:
            return False
        if p > 0 and data[p - 1] == 0x3C:  # "<"
            return True
        p = data.find(mark, p + 1)
    return data.find(b"<" + mark, start) >= 0


def _contains(data: bytes, needle: bytes, rare: int) -> bool:
    """``needle in data``, looked up from the occurrences of its byte at index ``rare`` (found with memchr, much
    faster than a search for the whole needle when that byte is rare)."""
    mark = needle[rare:rare + 1]
    p = data.find(mark, rare)
    for _ in range(32):
        if p < 0:
            return False
        if data.startswith(needle, p - rare):
            return True
        p = data.find(mark, p + 1)
    return needle in data


def _gaps_within(data: bytes, first: int, limit: int, find: _Find, step: int = 4096) -> bool:
    """Whether from every element start (the first at ``first``) the next start, or the end of ``data``, is at most
    ``limit`` bytes further — the text inside any one element is then at most ``limit`` characters. ``find(p, q)``
    is the first start ``s`` with ``p <= s <= q``, else -1.

    Looked up from checkpoints ``p`` every ``step`` (< ``limit``) bytes after ``first``: when from each the next
    start (or the end) is within ``reach = limit - step``, every gap is within ``limit``. Proof: for a start ``a``
    and the next boundary ``b``, let ``p`` be the first checkpoint after ``a`` (``p - a <= step``). If ``p >= b``,
    ``b - a <= step``; otherwise the next start from ``p`` is ``b``, so ``b - a = (b - p) + (p - a) <= reach + step
    = limit``. Gaps longer than ``reach`` are reported too (then the caller looks closer or falls back): one short
    search per checkpoint instead of a list of every start."""
    reach = limit - step
    n = len(data)
    return all(n - p <= reach or find(p, p + reach) >= 0 for p in range(first + step, n, step))


def _formulas_within(data: bytes) -> bool:
    """Whether every formula's text is within :data:`limits.MAX_FORMULA_TEXT`: from the start of an f element a
    formula runs at most to the next ``</f>``, the next cell start or the end (the full scan counts formula text from
    an f start until an f ends or a cell starts). One search per formula cell; the next ``</f>`` and the next cell are
    looked up again only once passed, so the whole is linear."""
    n = len(data)
    end_f = next_cell = -1
    pos = 0
    while (m := _TAG_F.search(data, pos)) is not None:
        s = m.start()
        if end_f < s:
            end_f = data.find(b"</f>", s)
            end_f = n if end_f < 0 else end_f
        if next_cell <= s:
            next_cell = data.find(_CELL, s + 1)
            next_cell = n if next_cell < 0 else next_cell
        pos = min(end_f, next_cell)
        if pos - s > limits.MAX_FORMULA_TEXT:  # the text is shorter than this span by at least the tag "<f>"
            return False
    return True


def _cols_within(data: bytes) -> bool:
    """Whether no column width (``<col min= max=>``) names a column beyond XFD, as the full scan reads them."""
    for m in _TAG_COL.finditer(data):
        tag = _WHOLE_TAG.match(data, m.start())
        if tag is None:
            return False
        for attr in _TAG_ATTR.finditer(tag.group(1)):
            if attr.group(1) in (b"min", b"max"):
                value = attr.group(2) if attr.group(2) is not None else attr.group(3)
                if b"&" in value or not value.isascii() or (
                        value.isdigit() and (len(value) > 9 or int(value) > limits.MAX_SHEET_COLS)):
                    return False
    return True


def _range_cells(values: list[bytes]) -> int:
    """What the full scan adds to :attr:`PackageStats.range_cells` for these ref values."""
    total = 0
    for value in values:
        for one in value.decode("ascii").split():
            bounds = _range_ref(one)
            if bounds is not None:
                r1, c1, r2, c2 = bounds
                total += (r2 - r1 + 1) * (c2 - c1 + 1)
    return total


class _Bounds:
    """Upper bounds of the full scan's counts over a package. A cheap bound (from a part's length, or from a range's
    corner) may come with a function computing a closer one; that runs only when the cheap sum exceeds the limit."""

    def __init__(self) -> None:
        self.sums: dict[str, list[tuple[int, Callable[[], int] | None]]] = {}
        self.tree = 0  # most elements of one part openpyxl parses as a whole tree
        self.max_row = 0  # highest row of any sheet
        self.comment_max_col = 0

    def add(self, key: str, cheap: int, closer: Callable[[], int] | None = None) -> None:
        self.sums.setdefault(key, []).append((cheap, closer))

    def within(self) -> bool:
        caps = {"elements": limits.MAX_ELEMENTS, "cells": limits.MAX_CELLS, "rows": limits.MAX_ROW_RECORDS,
                "shared_strings": limits.MAX_SHARED_STRINGS, "comments": limits.MAX_COMMENTS,
                "rules": limits.MAX_SHEET_RULES, "styles": limits.MAX_STYLE_RECORDS,
                "range_cells": limits.MAX_RANGE_CELLS}
        for key, items in self.sums.items():
            if sum(cheap for cheap, _ in items) > caps[key] and sum(
                    cheap if closer is None else closer() for cheap, closer in items) > caps[key]:
                return False
        return self.tree <= limits.MAX_TREE_ELEMENTS and self.max_row * self.comment_max_col <= limits.MAX_SHEET_AREA


def _ranges(data: bytes, bounds: _Bounds) -> tuple[int, int] | None:
    """The highest row and column of every ``ref`` attribute (merged cells, hyperlinks, comments, the dimension),
    their cells added to ``bounds``; None when one is not plain ``A1``/``A1:B2`` references."""
    if b"'" in data:
        values = [a or b for a, b in _ATTR_REF.findall(data)]
    else:  # no value in single quotes
        values = _ATTR_REF_DQ.findall(data)
    if not values:
        return 0, 0
    joined = b" ".join(values)
    # only upper-case letters, digits, ":" and spaces (else the full scan decides: "$", lower case, entities…):
    # every row or column _range_ref can read is then a run of digits or of letters here, so the maxima of the
    # runs bound them (runs it would not read — "A0", "1A" — only add)
    if joined.translate(None, _REF_BYTES):
        return None
    max_row = max(map(int, set(joined.translate(_LETTERS_TO_SPACE).split())), default=0)
    letters = set(joined.translate(None, b"0123456789").replace(b":", b" ").split())
    max_col = max((a1.col_index(c.decode("ascii")) for c in letters), default=0)
    if max_row > limits.MAX_SHEET_ROWS or max_col > limits.MAX_SHEET_COLS:
        return None
    # each range lies within rows 1..max_row and columns 1..max_col
    bounds.add("range_cells", (joined.count(b" ") + 1) * max_row * max_col, lambda: _range_cells(values))
    return max_row, max_col


def _quick_sheet(data: bytes, bounds: _Bounds) -> bool:
    cell_row, cell_col, row_row = 9999, 26, 9999  # unless _ODD finds an exception
    odd = _ODD.search(data)
    if odd is not None:  # before it, nothing is odd, hence nothing is beyond the strict forms
        if _STRICT_CELL.search(data, odd.start()) is not None or _STRICT_ROW.search(data, odd.start()) is not None \
                or not _cols_within(data):
            return False
        cell_col = max((a1.col_index(c.decode("ascii")) for c in set(_CELL_COLS.findall(data))), default=0)
        cell_row = max(map(int, set(_CELL_ROWS.findall(data))), default=0)
        row_row = max(map(int, set(_ROW_ROWS.findall(data))), default=0)
        bounds.add("rules", len(_TAG_RULE.findall(data)))
    elif _contains(data, b"<dataValidation", 5) or _contains(data, b"<hyperlink", 2):  # found by "V", "y"
        bounds.add("rules", len(_TAG_RULE.findall(data)))
    ranges = _ranges(data, bounds)
    if ranges is None:
        return False
    max_row, max_col = max(cell_row, row_row, ranges[0]), max(cell_col, ranges[1])
    if max_row > limits.MAX_SHEET_ROWS or max_col > limits.MAX_SHEET_COLS or max_row * max_col > limits.MAX_SHEET_AREA:
        return False
    bounds.max_row = max(bounds.max_row, max_row)
    n = len(data)
    bounds.add("cells", n // 10, lambda: data.count(_CELL))  # a cell's start tag: '<c r="A1">' at least
    bounds.add("rows", n // 11, lambda: data.count(_ROW))  # '<row r="1">'
    first = data.find(_CELL)
    if n <= limits.MAX_FORMULA_TEXT or first < 0:  # no text longer than the part; no cell, no cell text
        return True
    # a cell's text (and its formula's: the full scan counts one only inside a cell) runs at most to the next cell
    # start or to the end
    def cell(p: int, q: int) -> int:
        return data.find(_CELL, p, q + len(_CELL))

    if _gaps_within(data, first, limits.MAX_FORMULA_TEXT, cell):  # usual: within both limits
        return True
    return (n <= limits.MAX_CELL_TEXT or _gaps_within(data, first, limits.MAX_CELL_TEXT, cell)) and (
        _TAG_F.search(data) is None or _formulas_within(data))


def _quick_part(data: bytes, bounds: _Bounds) -> bool:
    """Add ``data``'s upper bounds to ``bounds``; False when the part is not simple enough to bound without the
    full scan (another encoding, comments/CDATA/processing instructions, prefixed counted elements, cells or rows
    placed by counting, texts near a limit…)."""
    n = len(data)
    enc = _ENCODING.match(data)
    if (enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8")) or b"\x00" in data \
            or _after(data, 0, b"!") or n > limits.MAX_XML_TEXT:  # any text is then within MAX_XML_TEXT
        return False
    root = _ROOT.match(data)
    if root is None:
        return False
    name = root.group(1).decode("ascii")
    if ":" in name and name.rpartition(":")[2] in _COUNTED_ROOTS:
        return False
    tags = n // 3 if n < _SMALL_PART else data.count(b"<")
    bounds.add("elements", tags)
    if name not in _STREAMED_ROOTS:
        bounds.tree = max(bounds.tree, tags)
    if name not in _COUNTED_ROOTS:
        return True
    start = root.end()
    if _after(data, start, b"?") or _PREFIXED_TAG.search(data, start) is not None:
        return False
    if name == "styleSheet":
        bounds.add("styles", n // 4, lambda: len(_TAG_STYLE.findall(data)))  # "<xf>" at least
        return True
    if name == "sst":
        bounds.add("shared_strings", n // 4, lambda: len(_TAG_SI.findall(data)))  # "<si>"
        first = _TAG_SI.search(data)

        def si(p: int, q: int) -> int:
            m = _TAG_SI.search(data, p, q + 4)
            return -1 if m is None else m.start()

        return n <= limits.MAX_CELL_TEXT or first is None or _gaps_within(data, first.start(), limits.MAX_CELL_TEXT, si)
    if name != "comments":
        return _quick_sheet(data, bounds)
    ranges = _ranges(data, bounds)
    if ranges is None or ranges[0] * ranges[1] > limits.MAX_SHEET_AREA:
        return False
    bounds.comment_max_col = max(bounds.comment_max_col, ranges[1])
    bounds.add("comments", n // 9, lambda: len(_TAG_COMMENT.findall(data)))  # "<comment>" at least
    first = _TAG_COMMENT.search(data)

    def comment(p: int, q: int) -> int:
        m = _TAG_COMMENT.search(data, p, q + 9)
        return -1 if m is None else m.start()

    return n <= limits.MAX_CELL_TEXT or first is None or _gaps_within(data, first.start(), limits.MAX_CELL_TEXT,
                                                                        comment)


def check_package(data: bytes, name: str) -> dict[str, bytes] | None:
    """What every reader calls: :func:`inspect_package`'s refusals, at a fraction of its cost for an ordinary
    workbook. Each XML part is still parsed by expat (well-formedness, document type and entity declarations
    refused with the same messages), but without a Python call per element: the counts are replaced by upper
    bounds read with regular expressions (see the comments above). When the bounds cannot prove the whole package
    within every limit of :mod:`perfeval.limits`, the full :func:`inspect_package` decides — so this refuses exactly
    what it refuses (``tests/test_limits.py`` runs every edge through both).

    Returns the parts it decompressed when the quick path decided — every part judged XML (``.xml``, ``.rels`` and
    other parts starting with ``<``; not the legacy ``.vml`` drawings), zip entry name → bytes —, so that a caller
    can parse them without inflating them again; None when :func:`inspect_package` decided (the caller then reads
    the package itself)."""
    try:
        read = _quick_check(data, name)
    except PackageRefused:
        raise
    except Exception:  # a damaged package: the full inspection words the refusal
        read = None
    if read is None:
        inspect_package(data, name)
    return read


def _quick_check(data: bytes, name: str) -> dict[str, bytes] | None:
    """:func:`check_package`'s quick path: the parts it read, or None when the bounds cannot decide (the full
    inspection then does)."""
    if not data or len(data) > limits.MAX_FILE_BYTES or not data.startswith(ZIP_MAGICS):
        return None
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    if not infos or len(infos) > limits.MAX_PARTS:
        return None
    if sum(i.file_size for i in infos) > limits.MAX_TOTAL_BYTES or any(
            i.flag_bits & 0x1 or i.compress_type not in SUPPORTED_COMPRESSION or i.file_size > limits.MAX_PART_BYTES
            or (i.file_size > limits.RATIO_MIN_BYTES and i.file_size > limits.MAX_RATIO * max(i.compress_size, 1))
            for i in infos):
        return None
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names:
        return None
    bounds = _Bounds()
    parts: list[tuple[zipfile.ZipInfo, bytes | None]] = []  # None: a VML part
    read: dict[str, bytes] = {}
    for info in infos:  # no refusal here: the full scan refuses in the order of the parts
        if info.filename.lower().endswith(".vml"):
            parts.append((info, None))
        elif _is_xml(zf, info):
            body = zf.read(info)
            if not _quick_part(body, bounds):
                return None
            parts.append((info, body))
            read[info.filename] = body
    if not bounds.within() or _foreign(zf, read["[Content_Types].xml"], name, names,
                                       lambda part: read.get(part) or zf.read(part)):
        return None
    for info, body in parts:  # within every count: what is left is well-formedness and declarations
        if body is None:
            _scan_vml(zf, info, name)
        else:
            _parse_lean(body, name, info.filename)
    return read


def inspect_package(data: bytes, name: str) -> PackageStats:
    """Refuse ``data`` (the bytes of the file called ``name``) with :class:`PackageRefused` unless it is a
    zip package of a workbook within :mod:`perfeval.limits`; returns what was counted."""
    if not data:
        raise PackageRefused(f"{name}：文件是空的（0 字节），不是 Excel 工作簿")
    if len(data) > limits.MAX_FILE_BYTES:
        raise PackageRefused(f"{name}：文件大小 {len(data) / 1024 / 1024:.0f} MB，超过本工具支持的 "
                             f"{limits.MAX_FILE_BYTES // 1024 // 1024} MB")
    if not data.startswith(ZIP_MAGICS):
        raise PackageRefused(_sniff(data[:8192], name))
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # BadZipFile, and whatever a damaged directory makes zipfile raise
        raise PackageRefused(f"{name}：文件已损坏（zip 包不完整或被截断），无法作为 Excel 工作簿打开") from exc
    stats = PackageStats(parts=len(infos))
    if len(infos) > limits.MAX_PARTS:
        raise PackageRefused(f"{name}：压缩包中有 {len(infos)} 个部件，超过本工具支持的 {limits.MAX_PARTS} 个")
    for info in infos:
        if info.flag_bits & 0x1:
            raise PackageRefused(f"{name}：压缩包的部件 {info.filename} 已加密，无法打开；"
                                 "请在 Excel 中另存为无密码的 .xlsx")
        if info.compress_type not in SUPPORTED_COMPRESSION:
            raise PackageRefused(f"{name}：压缩包的部件 {info.filename} 使用了 Excel 不支持的压缩方式"
                                 f"（方法 {info.compress_type}），请在 Excel/WPS 中另存为 .xlsx")
        if info.file_size > limits.MAX_PART_BYTES:
            raise PackageRefused(f"{name}：部件 {info.filename} 解压后 {info.file_size / 1024 / 1024:.0f} MB，"
                                 f"超过本工具支持的 {limits.MAX_PART_BYTES // 1024 // 1024} MB")
        stats.total_bytes += info.file_size
        if stats.total_bytes > limits.MAX_TOTAL_BYTES:
            raise PackageRefused(f"{name}：解压后总大小超过本工具支持的 {limits.MAX_TOTAL_BYTES // 1024 // 1024} MB")
        if info.file_size > limits.RATIO_MIN_BYTES and info.file_size > limits.MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise PackageRefused(f"{name}：部件 {info.filename} 的压缩比异常（{ratio} 倍，疑似“压缩炸弹”），拒绝打开")
    try:
        names = set(zf.namelist())
        if "[Content_Types].xml" not in names:
            raise PackageRefused(f"{name}：不是 Excel 工作簿（压缩包中没有 [Content_Types].xml）")
        content_types = zf.read("[Content_Types].xml")
        foreign = _foreign(zf, content_types, name, names)
        if foreign is not None:
            raise PackageRefused(foreign)
        for info in infos:
            if info.filename.lower().endswith(".vml"):
                _scan_vml(zf, info, name)
            elif _is_xml(zf, info):
                _scan_xml(zf, info, stats, name)
        widest = max(stats.max_row.values(), default=0) * stats.comment_max_col
        if widest > limits.MAX_SHEET_AREA:  # which sheet a note belongs to is not looked up: the largest
            raise PackageRefused(f"{name}：批注位于第 {stats.comment_max_col} 列，使工作表的已用区域超过本工具支持的 "
                                 f"{limits.MAX_SHEET_AREA} 个单元格。请删除远处的批注后另存再试")
    except PackageRefused:
        raise
    except Exception as exc:  # BadZipFile (checksum, truncated data), zlib.error, EOFError, OSError…
        raise PackageRefused(f"{name}：文件已损坏（压缩数据无法解开：{type(exc).__name__}），"
                             "无法作为 Excel 工作簿打开") from exc
    return stats
