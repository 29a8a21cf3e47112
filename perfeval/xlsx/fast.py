"""The values-only path: read a workbook without a full openpyxl load.

``collect`` reads thousands of 定稿 and ``validate``/``verify`` of one file should cost no more than opening it,
so reading values goes through python-calamine (a Rust reader) and the few facts calamine does not give are read
directly from their XML parts:

- formulas (``<f>`` of the sheet parts: only parsed when a sheet has any; a 定稿 has none),
- number formats (``styles.xml``, only when the engine asks for one),
- sheet states, sheet protection and workbook structure protection (``workbook.xml``, the ``<sheetProtection>``
  element of each sheet part),
- custom document properties (``docProps/custom.xml``).

:class:`FastBook` implements :class:`perfeval.reading.BookGrid` so the form packs read it exactly like the
openpyxl adapter (:mod:`perfeval.xlsx.reader`). Values are converted to what openpyxl returns for the same cell
(an integral number as ``int``, a date as ``datetime``, an empty text as nothing). Whatever this reader does not
reproduce exactly — shared or array formulas, cells without a reference, a strict-OOXML package, anything calamine
refuses — sets :attr:`FastBook.unsupported`, and the callers take the openpyxl path for that file, so both paths
give the same findings by construction where the fast one answers at all (``tests/test_fast_reader.py`` checks it
on every test workbook).

The package is checked by :func:`perfeval.xlsx.guard.inspect_package` before anything parses it, as for openpyxl.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from perfeval import a1

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"

#: openpyxl's built-in number formats that matter to the engine (it only asks whether a format shows "%")
_BUILTIN_FORMATS = {0: "General", 9: "0%", 10: "0.00%"}
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TRACE = re.compile(rb"f[\s>/]")  # what every formula tag contains, found by a quick literal scan
_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection\b([^>]*)>")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*\bref=\"([^\"]*)\"")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*\bt=\"e\"")
_BLANK_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>[ \t\r\n]+</(?:\w+:)?t>")  # " " (calamine: empty)
_BLANKS = re.compile(rb">[ \t\r\n]+</")  # the trace of _BLANK_TEXT, found much faster
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")  # an OOXML character escape: openpyxl keeps some, calamine decodes them
_CELL_REF = re.compile(r"\$?([A-Z]{1,3})\$?([1-9][0-9]{0,6})")
#: openpyxl's built-in number formats that it takes for dates (openpyxl.styles.numbers: 14–22, 45–47)
_BUILTIN_DATES = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47})
_DATE_STRIP = re.compile(r'".*?"|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')  # openpyxl's STRIP_RE (literals, locales)
_FIRST_SAFE_DAY = dt.date(1900, 3, 1)  # before it, Excel's serial numbers count a 29 February 1900
_TRUE = {"1", "true"}
_CELL_NOT_R_FIRST = re.compile(rb'<c\s(?!r="[A-Z]{1,3}[0-9]{1,7}"[\s/>])')  # a cell tag not starting with its r
_CELL_S_NOT_SECOND = re.compile(rb'<c r="[^"]*"\s+(?!s=)[^>]*?\bs=')  # a style attribute after another one
_FORBIDDEN_TITLE = re.compile(r"[\\*?:/\[\]]")  # openpyxl refuses these in a sheet title (and explains it)


class Unsupported(Exception):
    """The fast path cannot reproduce openpyxl's reading of this file; take the openpyxl path."""


def _parse(data: bytes) -> Any:
    """An XML part as an element tree. Every part was checked by :mod:`perfeval.xlsx.guard` before this reads it
    (well-formed, within the limits, no document type or entity declaration), so the C parser of the standard
    library reads it; a part with any ``<!`` (declarations, comments, CDATA) is still left to the openpyxl path,
    so that nothing here ever meets a declaration."""
    if b"<!" in data:
        raise Unsupported("a declaration, comment or CDATA section in an XML part")
    from xml.etree.ElementTree import fromstring

    return fromstring(data)


def _is_date_format(fmt: str) -> bool:
    """openpyxl's ``is_date_format``: the first section, literals and locale tags removed, holds d/m/h/y/s."""
    return re.search(r"(?<![_\\])[dmhysDMHYS]", _DATE_STRIP.sub("", fmt.split(";")[0])) is not None


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _value(value: Any) -> Any:
    """calamine's value as openpyxl gives it."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


def _texts_differ(xml: bytes) -> bool:
    """Whether a sheet or shared-string part holds a text calamine reads otherwise than openpyxl: an OOXML
    character escape (openpyxl keeps some, calamine decodes them) or a text of blanks (calamine drops it)."""
    return _ESCAPE.search(xml) is not None or (b"</t>" in xml and _BLANKS.search(xml) is not None
                                                and _BLANK_TEXT.search(xml) is not None)


@functools.lru_cache(maxsize=64)
def _date_cell_pattern(styles: frozenset[int]) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """The cell tags (``r`` first, ``s`` second) of the given styles (group 1: the reference), and any ``s``
    attribute naming one of them (found by a quick literal scan)."""
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    return (re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})" s="0*(?:' + ids + rb')"'),
            re.compile(rb's\s*=\s*["\']0*(?:' + ids + rb')["\']'))  # openpyxl reads "012" as style 12


@functools.lru_cache(maxsize=4096)  # the merged ranges of a form repeat in every file of that form
def _merged_range(ref: bytes) -> tuple[int, int, int, int]:
    """A merged range's ``ref`` → (first row, first column, last row, last column), as openpyxl reads it."""
    first, _, end = ref.decode().partition(":")
    m1, m2 = _CELL_REF.fullmatch(first), _CELL_REF.fullmatch(end or first)
    if m1 is None or m2 is None:
        raise Unsupported("a merged range openpyxl reads otherwise")
    return int(m1.group(2)), a1.col_index(m1.group(1)), int(m2.group(2)), a1.col_index(m2.group(1))


class FastSheet:
    """One worksheet: values from calamine, formulas, styles and protection from the sheet part."""

    def __init__(self, book: FastBook, title: str, part: str, visible: bool) -> None:
        self.book = book
        self.title = title
        self.part = part
        self.visible = visible
        rows = book.calamine.get_sheet_by_name(title).to_python(skip_empty_area=False)
        self.rows: list[list[Any]] = rows
        self.xml = book.part(part) if part in book.names else b""
        xml = self.xml  # each pattern only where a search with a literal start (fast in re) finds its trace
        if (b't="e"' in xml and _ERROR_CELL.search(xml)) or _texts_differ(xml):
            # openpyxl keeps their text; calamine reads errors as empty, decodes escapes and drops a text of blanks
            raise Unsupported(f"{title}: error values, escaped characters or a text of blanks")
        self.formulas: dict[str, str] = self._formulas() if _FORMULA_TRACE.search(xml) \
            and _FORMULA_TAG.search(xml) else {}
        self._check_values()
        last_merged = self._unmerge()
        last_formula = max((a1.split(a)[0] for a in self.formulas), default=0)
        self.max_row = max(len(rows), last_formula, last_merged, 1)

    def _check_values(self) -> None:
        """Convert calamine's values to openpyxl's in place (:func:`_value`), refusing what calamine converts
        otherwise than openpyxl. Both agree on a whole day (from March 1900 on) in a style that openpyxl takes
        for a date; they disagree on which other number formats are dates, on times (openpyxl rounds to the
        millisecond), on durations and on the 1900 leap-year bug, and openpyxl refuses infinities and NaN."""
        dates = self.book.date_styles
        dated = self._date_cells(dates) if dates else frozenset()
        for r, line in enumerate(self.rows, start=1):
            for c, value in enumerate(line, start=1):
                kind = type(value)
                if kind is str:
                    if not value:
                        line[c - 1] = None
                elif kind is float:
                    if not math.isfinite(value):
                        raise Unsupported(f"{self.title}: an infinite number")
                    if dated and a1.address(r, c) in dated:
                        raise Unsupported(f"{self.title}: a number in a date format")
                    if value.is_integer() and abs(value) < 1e15:
                        line[c - 1] = int(value)
                elif kind is int:
                    if dated and a1.address(r, c) in dated:
                        raise Unsupported(f"{self.title}: a number in a date format")
                elif kind is bool:
                    continue
                elif isinstance(value, dt.time | dt.timedelta):
                    raise Unsupported(f"{self.title}: a time or duration")
                elif isinstance(value, dt.date):
                    whole_day = not isinstance(value, dt.datetime) or value.time() == dt.time()
                    if not whole_day or _day(value) < _FIRST_SAFE_DAY or a1.address(r, c) not in dated:
                        raise Unsupported(f"{self.title}: a date openpyxl may read otherwise")
                    line[c - 1] = _value(value)

    def _date_cells(self, dates: frozenset[int]) -> frozenset[str]:
        """The cells whose style is a date style: where every cell with a style writes ``r`` first and ``s``
        second (as Excel, WPS, LibreOffice and openpyxl do), one pattern finds just those cells; else every cell
        tag is read."""
        xml = self.xml
        if _date_cell_pattern(dates)[1].search(xml) is None:  # no tag at all names one of those styles
            return frozenset()
        if _CELL_NOT_R_FIRST.search(xml) is None and _CELL_S_NOT_SECOND.search(xml) is None:
            return frozenset(ref.decode() for ref in _date_cell_pattern(dates)[0].findall(xml))
        return frozenset(ref for ref, style in self._styles.items() if style in dates)

    def _unmerge(self) -> int:
        """As openpyxl: every cell of a merged range but its top-left one is empty (a value stored there is
        not seen). Returns the last row of any merged range (openpyxl's ``max_row`` counts those cells)."""
        last = 0
        at = self.xml.find(b"mergeCell")  # the pattern from the first one's "<" on, not over the whole part
        for ref in _MERGE.findall(self.xml, self.xml.rfind(b"<", 0, at)) if at > 0 else ():
            r1, c1, r2, c2 = _merged_range(ref)
            if r2 < r1 or c2 < c1:
                raise Unsupported(f"{self.title}: a reversed merged range")
            last = max(last, r2)
            for r in range(r1, min(r2, len(self.rows)) + 1):
                line = self.rows[r - 1]
                first = c1 + 1 if r == r1 else c1  # the top-left cell keeps its value
                end = min(c2, len(line))
                if first <= end:
                    line[first - 1:end] = [None] * (end - first + 1)
            if self.formulas:
                for address in [a for a in self.formulas if a != a1.address(r1, c1)]:
                    r, c = a1.split(address)
                    if r1 <= r <= r2 and c1 <= c <= c2:
                        del self.formulas[address]
        return last

    def _formulas(self) -> dict[str, str]:
        root = _parse(self.xml)
        if root.tag != f"{{{NS_MAIN}}}worksheet":
            raise Unsupported(f"{self.title}: not a transitional worksheet")
        out: dict[str, str] = {}
        for c in root.iter(f"{{{NS_MAIN}}}c"):
            f = c.find(f"{{{NS_MAIN}}}f")
            if f is None:
                continue
            ref = c.get("r")
            if not ref or f.get("t") not in (None, "normal") or not f.text:
                raise Unsupported(f"{self.title}: shared/array formula or cell without reference")
            out[ref] = "=" + f.text
        return out

    # ------------------------------------------------------------------ SheetGrid
    def at(self, row: int, col: int) -> Any:
        address = a1.address(row, col) if self.formulas else None
        if address is not None and address in self.formulas:
            return self.formulas[address]
        return self._calamine(row, col)

    def _calamine(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows):
            line = self.rows[row - 1]
            if 1 <= col <= len(line):
                return line[col - 1]  # converted by _check_values
        return None

    def value(self, address: str) -> Any:
        if address in self.formulas:
            return self.formulas[address]
        return self._calamine(*a1.split(address))

    def is_formula(self, address: str) -> bool:
        return address in self.formulas

    def cached(self, address: str) -> Any:
        return self._calamine(*a1.split(address)) if address in self.formulas else None

    def number_format(self, address: str) -> str:
        style = self._styles.get(address)
        return self.book.number_format(style) if style is not None else "General"

    @cached_property
    def _styles(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for match in _CELL_TAG.finditer(self.xml):
            attrs = dict(_ATTR.findall(match.group(1)))
            ref, style = attrs.get(b"r"), attrs.get(b"s")
            if ref is not None and style is not None and style.isdigit():
                out[ref.decode()] = int(style)
        return out

    # ------------------------------------------------------------------ verify
    @property
    def protected(self) -> bool:
        at = self.xml.find(b"sheetProtection")  # the pattern from the tag's "<" on, not over the whole part
        match = _PROTECTION.search(self.xml, self.xml.rfind(b"<", 0, at)) if at > 0 else None
        if match is None:
            return False
        attrs = dict(_ATTR.findall(match.group(1)))
        return attrs.get(b"sheet", b"").decode().lower() in _TRUE

    def cells(self) -> dict[str, object]:
        """Every non-empty cell, formulas as their text (what :func:`perfeval.xlsx.export.official_grid` takes)."""
        out: dict[str, object] = {}
        for r, line in enumerate(self.rows, start=1):
            for c, value in enumerate(line, start=1):
                if value is not None:  # converted by _check_values
                    out[a1.address(r, c)] = value
        out.update(self.formulas)
        return out


class FastBook:
    """A workbook read by the fast path (see the module docstring); :class:`perfeval.reading.BookGrid`."""

    def __init__(self, data: bytes, path: Path | None = None, parts: Mapping[str, bytes] | None = None) -> None:
        """``parts``: the XML parts already decompressed (by the package guard), by zip entry name."""
        from python_calamine import CalamineWorkbook

        self.path = path
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = set(self.zip.namelist())
        self._decompressed = parts or {}
        try:
            self.calamine = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as exc:  # calamine refuses what openpyxl may still read (or explain)
            raise Unsupported(f"calamine: {type(exc).__name__}") from exc
        workbook_part = self._workbook_part()
        root = _parse(self.part(workbook_part))
        if root.tag != f"{{{NS_MAIN}}}workbook":
            raise Unsupported("not a transitional workbook")
        rels = self._rels(workbook_part)
        protection = root.find(f"{{{NS_MAIN}}}workbookProtection")
        self.structure_locked = protection is not None and (protection.get("lockStructure") or "").lower() in _TRUE
        self.sheetnames: list[str] = []
        self._parts: dict[str, tuple[str, bool]] = {}
        sheets = root.find(f"{{{NS_MAIN}}}sheets")
        for el in [] if sheets is None else list(sheets):
            name, rid = el.get("name"), el.get(f"{{{NS_REL}}}id")
            if not name or rid not in rels or _FORBIDDEN_TITLE.search(name):
                raise Unsupported("sheet without name or relationship, or a name openpyxl refuses")
            self.sheetnames.append(name)
            self._parts[name] = (rels[rid], el.get("state", "visible") == "visible")
        if self.sheetnames != list(self.calamine.sheet_names):
            raise Unsupported("sheet lists differ")  # e.g. chart sheets, which calamine lists and openpyxl not
        if any(_texts_differ(self.part(n))
               for n in self.names if n.lower().endswith("sharedstrings.xml")):
            raise Unsupported("escaped characters or a text of blanks in the shared strings")
        ids, custom = self._number_formats  # parsed now: a style table openpyxl refuses is refused here too
        self.date_styles = frozenset(
            i for i, fmt_id in enumerate(ids)
            if (_is_date_format(custom[fmt_id]) if fmt_id in custom else fmt_id in _BUILTIN_DATES))
        # every sheet now, so that whatever calamine or the sheet parts refuse is known before the engine reads
        self._sheets = {name: FastSheet(self, name, *self._parts[name]) for name in self.sheetnames}

    def part(self, name: str) -> bytes:
        """The bytes of the package part ``name`` (decompressed once)."""
        body = self._decompressed.get(name)
        return body if body is not None else self.zip.read(name)

    def _workbook_part(self) -> str:
        root = _parse(self.part("_rels/.rels"))
        for rel in root:
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "").lstrip("/")
        raise Unsupported("no office document relationship")

    def _rels(self, part: str) -> dict[str, str]:
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        if rels_part not in self.names:
            return {}
        out = {}
        for rel in _parse(self.part(rels_part)):
            target = rel.get("Target", "")
            if target.startswith("/"):
                target = target.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = target
        return out

    def __getitem__(self, name: str) -> FastSheet:
        return self._sheets[name]

    @cached_property
    def _number_formats(self) -> tuple[list[int], dict[int, str]]:
        if "xl/styles.xml" not in self.names:
            return [], {}
        root = _parse(self.part("xl/styles.xml"))
        custom = {int(el.get("numFmtId", "0")): el.get("formatCode", "")
                  for el in root.iter(f"{{{NS_MAIN}}}numFmt")}
        xfs = root.find(f"{{{NS_MAIN}}}cellXfs")
        ids = [int(xf.get("numFmtId", "0")) for xf in ([] if xfs is None else xfs)]
        return ids, custom

    def number_format(self, style: int) -> str:
        ids, custom = self._number_formats
        if not 0 <= style < len(ids):
            return "General"
        fmt_id = ids[style]
        return custom.get(fmt_id) or _BUILTIN_FORMATS.get(fmt_id, "General")

    @cached_property
    def custom_properties(self) -> dict[str, str]:
        if "docProps/custom.xml" not in self.names:
            return {}
        out = {}
        for prop in _parse(self.part("docProps/custom.xml")):
            name = prop.get("name")
            value = next(iter(prop), None)
            if name and value is not None:
                out[name] = value.text or ""
        return out

    def rows(self, name: str, width: int) -> list[tuple[Any, ...]]:
        """The sheet's rows as openpyxl's ``iter_rows(max_col=width, values_only=True)`` gives them."""
        sheet = self[name]
        if sheet.formulas:
            return [tuple(sheet.at(r, c) for c in range(1, width + 1)) for r in range(1, sheet.max_row + 1)]
        blank = (None,) * width
        out = [line_ if len(line_ := tuple(line[:width])) == width else line_ + blank[len(line_):]
               for line in sheet.rows]
        out.extend([blank] * (sheet.max_row - len(out)))
        return out


def open_fast(path: Path) -> FastBook | None:
    """``path`` read by the fast path, or None when it must go through openpyxl (which then explains any problem
    in Chinese). Raises :class:`perfeval.xlsx.io.WorkbookError` for what the shared checks refuse."""
    from perfeval.xlsx.io import read_package

    data = read_package(path)
    return fast_from_bytes(data, path)


def fast_from_bytes(data: bytes, path: Path | None = None,
                    parts: Mapping[str, bytes] | None = None) -> FastBook | None:
    """As :func:`open_fast` for bytes already read and checked by :func:`perfeval.xlsx.io.read_package` (or
    :func:`~perfeval.xlsx.io.read_checked`, which also gives the decompressed ``parts``)."""
    try:
        return FastBook(data, path, parts)
    except Unsupported:
        return None
    except Exception:  # a damaged part: openpyxl's path gives the Chinese explanation
        return None


class Opened:
    """A workbook opened for its values: by the fast reader (``fast``), or by openpyxl (``workbook``) where that
    cannot read it. ``verify``, ``validate`` without an output and ``collect`` read files through this one place."""

    def __init__(self, path: Path, data: bytes, parts: Mapping[str, bytes] | None = None) -> None:
        self.path = path
        self.data = data
        self.fast = fast_from_bytes(data, path, parts)
        self.workbook: Any = None
        if self.fast is None:
            from perfeval.xlsx.io import open_workbook_bytes

            self.workbook = open_workbook_bytes(data, path)

    @property
    def sheetnames(self) -> list[str]:
        return list(self.fast.sheetnames if self.fast is not None else self.workbook.sheetnames)

    def rows(self, sheet: str, width: int) -> list[tuple[Any, ...]]:
        """The sheet's rows as openpyxl's ``iter_rows(max_col=width, values_only=True)`` gives them."""
        if self.fast is not None:
            return self.fast.rows(sheet, width)
        return list(self.workbook[sheet].iter_rows(max_col=width, values_only=True))

    def verify(self) -> Any:
        """:class:`perfeval.xlsx.verify.VerifyResult` of the file."""
        from perfeval.xlsx.verify import fast_package, verify_package, verify_workbook

        if self.fast is not None:
            return verify_package(fast_package(self.fast), self.path)
        return verify_workbook(self.workbook, self.path)

    def read(self) -> Any:
        """:class:`perfeval.reading.ReadResult`; StructureError (Chinese) when it matches no form."""
        if self.fast is not None:
            from perfeval.reading import read_grid

            return read_grid(self.fast)
        from perfeval.xlsx.reader import read_workbook_obj

        return read_workbook_obj(self.workbook, self.path)


def open_values(path: Path) -> Opened:
    """:class:`Opened` of ``path``; :class:`perfeval.xlsx.io.WorkbookError` (Chinese) when it cannot be read."""
    from perfeval.xlsx.io import read_checked

    return Opened(path, *read_checked(path))


__all__ = ["FastBook", "FastSheet", "Opened", "Unsupported", "fast_from_bytes", "open_fast", "open_values"]
