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
import itertools
import posixpath
import re
import zipfile
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


def _foreign(zf: zipfile.ZipFile, content_types: bytes, name: str, parts: set[str]) -> str | None:
    """The message for a zip package that is not a workbook, judged by its [Content_Types].xml (the workbook
    part it names must exist)."""
    text = content_types.decode("utf-8", "replace")
    if any(t in text for t in WORKBOOK_CONTENT_TYPES):
        for m in _OVERRIDE.finditer(text):
            attrs = dict(_ATTR.findall(m.group()))
            if attrs.get("ContentType") in WORKBOOK_CONTENT_TYPES:
                part = attrs.get("PartName", "").lstrip("/")
                if part and part not in parts:
                    return f"{name}：文件不完整，缺少工作簿部件 {part}，无法作为 Excel 工作簿打开"
                if part:
                    return _missing_dependents(zf, part, parts, name)
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
def _missing_dependents(zf: zipfile.ZipFile, workbook: str, parts: set[str], name: str) -> str | None:
    """A sheet, the styles or the shared strings the workbook part refers to but the package lacks."""
    folder, _, leaf = workbook.rpartition("/")
    rels = f"{folder}/_rels/{leaf}.rels" if folder else f"_rels/{leaf}.rels"
    if rels not in parts:
        return None
    text = zf.read(rels).decode("utf-8", "replace")
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

    def __init__(self, part: str, stats: PackageStats, name: str, *, lean: bool = False) -> None:
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
        if not lean:  # lean: well-formedness and declarations only, at expat's speed (see check_package)
            parser.StartElementHandler = self._start
            parser.EndElementHandler = self._end
            parser.CharacterDataHandler = self._text
        self.parser = parser

    # --- refusals -----------------------------------------------------------------------------------
    def refuse(self, what: str) -> PackageRefused:
        return PackageRefused(f"{self.name}：{what}（部件 {self.part}）。本工具不处理这样的文件；"
                              "如文件来自 Excel/WPS，请在其中另存为 .xlsx 后重试")

    def _doctype(self, *_: object) -> None:
        raise self.refuse("含有 XML 文档类型声明（DOCTYPE，可用于实体扩展或引用外部文件），Excel 不会写出这样的内容")

    def _entity(self, *_: object) -> None:
        raise self.refuse("含有 XML 实体声明")

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
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            raise self.refuse(f"不是有效的 XML（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行），文件已损坏") \
                from exc
        except (LookupError, ValueError) as exc:  # an encoding expat does not know
            raise self.refuse("不是有效的 XML（声明了无法识别的字符编码），文件已损坏") from exc


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

# in a part whose tags hold no tab or line break (checked first), every attribute follows a space
_ATTR_MINMAX = re.compile(rb' (?:min|max)="([^"]*)"')
_ATTR_RANGE = re.compile(rb' ref="([^"]*)"')
_ATTR_R = re.compile(rb' r="([^"]*)"')
_REFS = re.compile(rb"(?:(?:[A-Za-z]{1,3}\d{1,7}|\d{1,7})(?: |$))*")  # cell references or row numbers
_REF_ROWS = re.compile(rb"(\d+)")
_REF_COLS = re.compile(rb"([A-Za-z]+)")
_LONG_TEXT = re.compile(rb">[^<]{%d,}" % (limits.MAX_CELL_TEXT + 1))  # from a ">": linear
_LONG_FORMULA = re.compile(rb"<f(?:\s[^>]*)?>[^<]{%d,}" % (limits.MAX_FORMULA_TEXT + 1))
_PREFIXED_TAG = re.compile(rb"</?[A-Za-z_][\w.-]*:")
_ROOT = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*<([A-Za-z_][\w.:-]*)")
_TAG_C = re.compile(rb"<c[\s>/]")
_TAG_ROW = re.compile(rb"<row[\s>/]")
_SPACE = re.compile(rb"[\t\r\n]")
_GT_IN_VALUE = re.compile(rb'="[^"]*>')  # a ">" inside an attribute value (tags could not be told apart)
_TAG_SI = re.compile(rb"<si[\s>/]")
_TAG_COMMENT = re.compile(rb"<comment[\s>/]")
_TAG_RULE = re.compile(rb"<(?:cfRule|dataValidation|hyperlink)[\s>/]")
_TAG_STYLE = re.compile(rb"<(?:xf|dxf|font|fill|border|numFmt|cellStyle)[\s>/]")
_ENCODING = re.compile(rb'^(?:\xef\xbb\xbf)?<\?xml[^>]*?encoding="([^"]*)"')
_COUNTED_ROOTS = _SHEET_ROOTS | {"sst", "comments", "styleSheet"}


def _space_in_tag(data: bytes, start: int) -> bool:
    """Whether a tab or line break after ``start`` is inside a tag (line breaks in texts are many fewer than tags)."""
    for match in _SPACE.finditer(data, start):
        p = match.start()
        if data.rfind(b"<", 0, p) > data.rfind(b">", 0, p):
            return True
    return False


def _longest_span(tag: re.Pattern[bytes], data: bytes) -> tuple[int, int]:
    """(number of ``tag`` elements, the longest distance from one to the next or to the end): an upper bound of
    the text inside any one of them."""
    starts = [m.start() for m in tag.finditer(data)]
    if not starts:
        return 0, 0
    starts.append(len(data))
    return len(starts) - 1, max(b - a for a, b in itertools.pairwise(starts))


def _quick_part(data: bytes, bounds: dict[str, int]) -> bool:
    """Add ``data``'s upper bounds to ``bounds``; False when the part is not simple enough to bound without the
    full scan (another encoding, declarations/comments/CDATA, prefixed counted elements, cells or rows placed by
    counting, texts near a limit)."""
    enc = _ENCODING.match(data[:200])
    if (enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8")) or b"\x00" in data \
            or b"<!" in data or _LONG_TEXT.search(data) or _LONG_FORMULA.search(data):
        return False
    root = _ROOT.match(data)
    if root is None:
        return False
    name = root.group(1).decode("ascii", "replace")
    if ":" in name and name.rpartition(":")[2] in _COUNTED_ROOTS:
        return False
    if name in _COUNTED_ROOTS and _PREFIXED_TAG.search(data):
        return False
    tags = data.count(b"<")
    bounds["elements"] += tags
    bounds["tree"] = max(bounds["tree"], tags)
    if name == "sst":
        n, span = _longest_span(_TAG_SI, data)
        bounds["shared_strings"] += n
        if span > limits.MAX_CELL_TEXT:
            return False
    elif name == "styleSheet":
        bounds["styles"] += len(_TAG_STYLE.findall(data))
    elif name in _SHEET_ROOTS or name == "comments":
        # tags delimited by < and >, attributes separated by spaces and quoted with ": the patterns below see them all
        if b"='" in data or _GT_IN_VALUE.search(data) or _space_in_tag(data, root.end()):
            return False
        if name == "comments":
            n, span = _longest_span(_TAG_COMMENT, data)
            bounds["comments"] += n
        else:
            n, span = _longest_span(_TAG_C, data)
            rows = len(_TAG_ROW.findall(data))
            if n != data.count(b'<c r="') or rows != data.count(b'<row r="'):
                return False  # a cell or row placed by counting (or r not first): only the full scan follows that
            bounds["cells"] += n
            bounds["rows"] += rows
            bounds["rules"] += len(_TAG_RULE.findall(data))
        if span > limits.MAX_CELL_TEXT:
            return False
        max_row = max_col = 0
        for value in _ATTR_MINMAX.findall(data):  # column widths: only a column beyond XFD is refused
            if not value.isdigit() or len(value) > 9 or int(value) > limits.MAX_SHEET_COLS:
                return False
        for value in _ATTR_RANGE.findall(data):  # merged cells, hyperlinks, notes, the dimension: few
            for one in value.decode("ascii", "replace").split():
                rng = _range_ref(one)
                if rng is None:
                    return False
                r1, c1, r2, c2 = rng
                max_row, max_col = max(max_row, r2), max(max_col, c2)
                bounds["range_cells"] += (r2 - r1 + 1) * (c2 - c1 + 1)
        refs = b" ".join(_ATTR_R.findall(data))  # every cell and row: checked and bounded in C, not one by one
        if not _REFS.fullmatch(refs):
            return False
        rows = set(_REF_ROWS.findall(refs))
        cols = set(_REF_COLS.findall(refs))
        if rows:
            max_row = max(max_row, max(int(r) for r in rows))
        if cols:
            max_col = max(max_col, max(a1.col_index(c.decode().upper()) for c in cols))
        if max_row > limits.MAX_SHEET_ROWS or max_col > limits.MAX_SHEET_COLS \
                or max_row * max_col > limits.MAX_SHEET_AREA:
            return False
        if name == "comments":
            bounds["comment_max_col"] = max(bounds["comment_max_col"], max_col)
        else:
            bounds["max_row"] = max(bounds["max_row"], max_row)
    return True


def check_package(data: bytes, name: str) -> None:
    """What every reader calls: :func:`inspect_package`'s refusals, at a fraction of its cost for an ordinary
    workbook. Each XML part is still parsed by expat (well-formedness, document type and entity declarations
    refused with the same messages), but without a Python call per element: the counts are replaced by upper
    bounds read with regular expressions (every ``<`` may open an element; every ``r``/``ref`` attribute may
    extend the used range or a merged range). When the bounds cannot prove the whole package within every limit
    of :mod:`perfeval.limits`, the full :func:`inspect_package` decides — so this refuses exactly what it
    refuses (``tests/test_limits.py`` runs every edge through both)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data)) if data.startswith(ZIP_MAGICS) else None
        infos = zf.infolist() if zf is not None else []
    except Exception:
        zf, infos = None, []
    if zf is None or not infos or len(infos) > limits.MAX_PARTS:
        inspect_package(data, name)
        return
    names = ("elements", "tree", "range_cells", "comment_max_col", "max_row", "cells", "rows", "shared_strings",
             "comments", "rules", "styles")
    bounds: dict[str, int] = dict.fromkeys(names, 0)
    try:
        if sum(i.file_size for i in infos) > limits.MAX_TOTAL_BYTES or any(
                i.flag_bits & 0x1 or i.compress_type not in SUPPORTED_COMPRESSION or i.file_size > limits.MAX_PART_BYTES
                or (i.file_size > limits.RATIO_MIN_BYTES and i.file_size > limits.MAX_RATIO * max(i.compress_size, 1))
                for i in infos):
            inspect_package(data, name)
            return
        names = set(zf.namelist())
        if "[Content_Types].xml" not in names or _foreign(zf, zf.read("[Content_Types].xml"), name, names):
            inspect_package(data, name)
            return
        parts: list[tuple[zipfile.ZipInfo, bytes]] = []
        for info in infos:
            lower = info.filename.lower()
            if lower.endswith(".vml"):
                _scan_vml(zf, info, name)
            elif _is_xml(zf, info):
                body = zf.read(info)
                if not _quick_part(body, bounds):
                    inspect_package(data, name)
                    return
                parts.append((info, body))
    except PackageRefused:
        raise
    except Exception:  # a damaged package: the full inspection words the refusal
        inspect_package(data, name)
        return
    b = bounds
    if b["elements"] > limits.MAX_ELEMENTS or b["tree"] > limits.MAX_TREE_ELEMENTS \
            or b["cells"] > limits.MAX_CELLS or b["rows"] > limits.MAX_ROW_RECORDS \
            or b["shared_strings"] > limits.MAX_SHARED_STRINGS or b["comments"] > limits.MAX_COMMENTS \
            or b["rules"] > limits.MAX_SHEET_RULES or b["styles"] > limits.MAX_STYLE_RECORDS \
            or bounds["range_cells"] > limits.MAX_RANGE_CELLS \
            or bounds["max_row"] * bounds["comment_max_col"] > limits.MAX_SHEET_AREA:
        inspect_package(data, name)
        return
    stats = PackageStats()
    for info, body in parts:  # within every count: what is left is well-formedness and declarations
        scanner = _PartScanner(info.filename, stats, name, lean=True)
        scanner.feed(body)
        scanner.feed(b"", final=True)


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
