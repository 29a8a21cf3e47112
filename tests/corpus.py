"""A corpus of malformed and hostile inputs, built deterministically from real perfeval workbooks.

``build_corpus(directory)`` writes every file of :data:`SPECS` (the same bytes on every run) and returns
their paths; ``python -m tests.corpus OUTDIR`` does the same from the command line. Each entry is
``(file name, builder)``; the builder gets the :class:`Bases` (real workbooks made by perfeval itself:
the seed example filled, a fresh template, a flagged copy, a final export) and returns the file's bytes —
or creates a directory, for the "directory named x.xlsx" case. ``.json`` entries are data files for
``perfeval fill``.

Kinds: broken or foreign packages (empty, truncated, OLE/encrypted, .xls/.csv/.html renamed, a Word
document, other zips, unusual compression, a lying zip directory), zip bombs (also in a comments part and in
a part nobody reads), XML entity expansion and external entities in several parts, malformed and missing
parts, huge used ranges (dimension, far cells, a million row records, merged/hyperlink/comment ranges),
shared-string and style bombs, 1 MB cell texts, damaged official forms (deleted rows, columns, sheets,
other templates, broken merges), wrong-typed and absurd cell values, control characters, hand-edited
helper sheets (``_perfeval_flags``, ``计算结果``, ``校验结果``, ``_perfeval``), an edited final workbook, and
malformed data files. tests/test_hostile_corpus.py runs every command on every file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PROJECT_EXAMPLE = "huaihua-2023-projects.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)

BD = "xl/worksheets/sheet1.xml"  # 附件1-1 in a workbook written by perfeval
ZP = "xl/worksheets/sheet2.xml"  # 附件1-2
CALC = "xl/worksheets/sheet3.xml"  # 计算结果 (in the seed; the flagged copy has 校验结果 there)
WORKBOOK = "xl/workbook.xml"
STYLES = "xl/styles.xml"
CONTENT_TYPES = "[Content_Types].xml"
WB_RELS = "xl/_rels/workbook.xml.rels"
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


# --------------------------------------------------------------------------- zip helpers


def read_parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def write_parts(parts: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A zip with fixed dates (the same parts give the same bytes)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, body in parts:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = method
            info.external_attr = 0o600 << 16
            zf.writestr(info, body)
    return out.getvalue()


def replace(data: bytes, changes: dict[str, bytes | None], add: list[tuple[str, bytes]] | None = None) -> bytes:
    """``data`` with parts replaced (``None``: removed) and parts appended."""
    parts = [(n, changes.get(n, b)) for n, b in read_parts(data) if not (n in changes and changes[n] is None)]
    return write_parts([(n, b) for n, b in parts if b is not None] + list(add or []))


def part(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def sub(data: bytes, name: str, pattern: bytes, repl: bytes, count: int = 1) -> bytes:
    body, n = re.subn(pattern, repl, part(data, name), count=count)
    assert n, f"pattern {pattern!r} not found in {name}"
    return replace(data, {name: body})


def add_to_sheet_data(data: bytes, name: str, rows_xml: bytes) -> bytes:
    """Append rows at the end of a sheet's <sheetData>."""
    return sub(data, name, rb"</sheetData>", rows_xml + b"</sheetData>")


def with_doctype(xml: bytes, doctype: bytes, use: bytes = b"") -> bytes:
    """Put a DOCTYPE before the root element (and ``use`` as the first child's text)."""
    m = re.search(rb"<(?!\?)[A-Za-z]", xml)
    assert m
    body = xml[:m.start()] + doctype + xml[m.start():]
    if use:
        body = re.sub(rb"(<[A-Za-z][^>]*[^/]>)", lambda mm: mm.group(1) + use, body, count=1)
    return body


BILLION_LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                             for i in range(1, 10))
                  + b"]>")
XXE = b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_PARAM = b'<!DOCTYPE foo [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/evil.dtd"> %ext;]>'
QUADRATIC = b'<!DOCTYPE q [<!ENTITY a "' + b"x" * 50_000 + b'">]>'


def patch_central(data: bytes, name: str, *, method: int | None = None, flags: int | None = None,
                  file_size: int | None = None, local: bool = True) -> bytes:
    """Rewrite fields of a zip entry in place (central directory and, where given, local header)."""
    buf = bytearray(data)
    raw = name.encode()
    pos = 0
    while True:
        pos = buf.find(b"PK\x01\x02", pos)
        if pos < 0:
            break
        n = struct.unpack_from("<H", buf, pos + 28)[0]
        if bytes(buf[pos + 46:pos + 46 + n]) == raw:
            if method is not None:
                struct.pack_into("<H", buf, pos + 10, method)
            if flags is not None:
                struct.pack_into("<H", buf, pos + 8, flags)
            if file_size is not None:
                struct.pack_into("<I", buf, pos + 24, file_size)
            offset = struct.unpack_from("<I", buf, pos + 42)[0]
            if local:
                if method is not None:
                    struct.pack_into("<H", buf, offset + 8, method)
                if flags is not None:
                    struct.pack_into("<H", buf, offset + 6, flags)
                if file_size is not None:
                    struct.pack_into("<I", buf, offset + 22, file_size)
        pos += 4
    return bytes(buf)


def deflate_raw(body: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(body) + c.flush()


# --------------------------------------------------------------------------- bases


@dataclass
class Bases:
    seed: bytes  # the seed example filled in (errors included)
    corrected: bytes  # the corrected example filled in (passes 校验)
    fresh: bytes  # `perfeval new`
    flagged: bytes  # `validate -o` of the seed: 校验结果, _perfeval_flags, notes
    final: bytes  # export of the corrected example
    year2019: bytes  # the template of another year
    project: bytes  # the project example filled in (6 project sheets; passes 校验, also --with corrected)
    project_fresh: bytes  # `perfeval new --form project --projects 3`
    project_final: bytes  # export of the project example


def _normalised(path: Path) -> bytes:
    from perfeval.xlsx.io import normalise_zip

    return normalise_zip(path.read_bytes())


def make_bases() -> Bases:
    from perfeval.forms.department.model import Report
    from perfeval.xlsx.export import export_file
    from perfeval.xlsx.workflow import fill, validate_file, write_new

    def report(name: str) -> Report:
        return Report.model_validate_json((EXAMPLES / name).read_text(encoding="utf-8"))

    from perfeval import forms

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        fill(forms.get("project").parse_json((EXAMPLES / PROJECT_EXAMPLE).read_text(encoding="utf-8")),
             tmp / "project.xlsx")
        write_new(tmp / "project_fresh.xlsx", year=2025, unit_name="某某单位", n_projects=3, form="project")
        export_file(tmp / "project.xlsx", tmp / "project_final.xlsx",
                    now=dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        fill(report("huaihua-2023.json"), tmp / "seed.xlsx")
        fill(report("huaihua-2023-corrected.json"), tmp / "corrected.xlsx")
        write_new(tmp / "fresh.xlsx", year=2025, unit_name="某某单位", n_projects=10)
        write_new(tmp / "y2019.xlsx", year=2019, unit_name="某某单位", n_projects=3)
        validate_file(tmp / "seed.xlsx", tmp / "flagged.xlsx")
        export_file(tmp / "corrected.xlsx", tmp / "final.xlsx",
                    now=dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        return Bases(*(_normalised(tmp / f"{n}.xlsx")
                       for n in ("seed", "corrected", "fresh", "flagged", "final", "y2019", "project",
                                 "project_fresh", "project_final")))


def edit(data: bytes, change: Callable[[Workbook], None]) -> bytes:
    """Open with openpyxl, change, save (what a user's spreadsheet program might leave)."""
    from perfeval.xlsx.io import normalise_zip

    wb = load_workbook(io.BytesIO(data))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return normalise_zip(out.getvalue())


def _cells(sheet: str, values: dict[str, object]) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        for address, value in values.items():
            wb[sheet][address].value = value
    return change


BD_NAME = "附件1-1 基础数据表"
ZP_NAME = "附件1-2 自评表"
STATE = "_perfeval_flags"


def _state_rows(rows: list[list[object]]) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        ws = wb[STATE]
        for row in rows:
            ws.append(row)
    return change


def _sst(strings: list[bytes] | bytes, count: int | None = None) -> bytes:
    body = strings if isinstance(strings, bytes) else b"".join(b"<si><t>" + s + b"</t></si>" for s in strings)
    n = count if count is not None else (len(strings) if isinstance(strings, list) else 1)
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<sst xmlns="' + MAIN_NS.encode() + b'" count="%d" uniqueCount="%d">' % (n, n) + body + b"</sst>")


def with_shared_strings(data: bytes, sst: bytes, cell: bytes = b"A40") -> bytes:
    """Add a shared string table (perfeval writes inline strings) and a cell on 计算结果 using entry 0."""
    ct = part(data, CONTENT_TYPES).replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = part(data, WB_RELS).replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml" Id="rId99"/></Relationships>')
    row = int(re.sub(rb"[A-Z]", b"", cell))
    data = replace(data, {CONTENT_TYPES: ct, WB_RELS: rels}, add=[("xl/sharedStrings.xml", sst)])
    return add_to_sheet_data(data, CALC, b'<row r="%d"><c r="%s" t="s"><v>0</v></c></row>' % (row, cell))


def with_comments(data: bytes, comments_xml: bytes, sheet: str = CALC) -> bytes:
    """Attach a comments part to a sheet of a workbook that has none."""
    rels_name = sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rIdC" Target="/xl/comments/commentX.xml" '
            b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"/>'
            b"</Relationships>")
    ct = part(data, CONTENT_TYPES).replace(
        b"</Types>",
        b'<Override PartName="/xl/comments/commentX.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/></Types>')
    return replace(data, {CONTENT_TYPES: ct}, add=[(rels_name, rels), ("xl/comments/commentX.xml", comments_xml)])


def comments(ref: bytes, text: bytes) -> bytes:
    return (b'<comments xmlns="' + MAIN_NS.encode() + b'"><authors><author>x</author></authors><commentList>'
            b'<comment ref="' + ref + b'" authorId="0"><text><t>' + text + b"</t></text></comment>"
            b"</commentList></comments>")


def many_comments(n: int) -> bytes:
    body = b"".join(b'<comment ref="A%d" authorId="0"><text><r><t>c%d</t></r></text></comment>' % (100 + i, i)
                    for i in range(n))
    return (b'<comments xmlns="' + MAIN_NS.encode() + b'"><authors><author>x</author></authors><commentList>'
            + body + b"</commentList></comments>")


def _varied_xfs(n: int) -> bytes:
    rng = random.Random(n)
    return b"".join(b'<xf numFmtId="%d" fontId="0" borderId="%d" xfId="0" applyAlignment="%d"/>'
                    % (rng.randrange(50), rng.randrange(3), rng.randrange(2)) for _ in range(n))


def many_rows(n: int, first: int = 200, cells: bool = False) -> bytes:
    if cells:
        return b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(first, first + n))
    return b"".join(b'<row r="%d" ht="15" customHeight="1"/>' % r for r in range(first, first + n))


# --------------------------------------------------------------------------- non-workbooks


def _ole(kind: bytes) -> bytes:
    """The start of an OLE compound file (what an encrypted .xlsx and a real .xls are)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)
    rng = random.Random(kind)
    return bytes(header) + kind + bytes(rng.getrandbits(8) for _ in range(4096))


def _docx() -> bytes:
    return write_parts([
        (CONTENT_TYPES, b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                        b'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.'
                        b'openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        ("word/document.xml", b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                              b'main"><w:body><w:p/></w:body></w:document>'),
    ])


def _random_zip() -> bytes:
    return write_parts([("readme.txt", "部门整体支出绩效自评".encode() * 10), ("data/x.bin", bytes(range(256)))])


def _bomb_part(size: int) -> bytes:
    """``size`` bytes of well-formed, highly compressible XML (a comments part)."""
    head = b'<comments xmlns="' + MAIN_NS.encode() + b'"><authors><author>'
    tail = b"</author></authors><commentList/></comments>"
    return head + b" " * (size - len(head) - len(tail)) + tail


def _declared_bomb(data: bytes) -> bytes:
    """A part whose zip directory claims 10 GB inflated (the bytes are small)."""
    body = write_parts([*read_parts(data), ("xl/media/image1.bin", b"\0" * 1000)])
    return patch_central(body, "xl/media/image1.bin", file_size=0xFFFF0000)


def _size_lie(data: bytes, smaller: bool) -> bytes:
    size = len(part(data, BD))
    return patch_central(data, BD, file_size=size // 2 if smaller else size * 2)


def _flip_byte(data: bytes) -> bytes:
    """A byte of sheet1's compressed data flipped (a damaged download)."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x03\x04" + bytes(buf[4:6]))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(BD)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    buf[start + info.compress_size // 2] ^= 0x55
    assert pos >= 0
    return bytes(buf)


def _duplicate(data: bytes) -> bytes:
    out = io.BytesIO()
    import warnings

    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # "Duplicate name": the point of this file
        for name, body in read_parts(data):
            zf.writestr(zipfile.ZipInfo(name, date_time=_EPOCH), body)
        zf.writestr(zipfile.ZipInfo(BD, date_time=_EPOCH), b"<worksheet><sheetData><row")
    return out.getvalue()


def _many_parts(data: bytes, n: int) -> bytes:
    return write_parts([*read_parts(data), *((f"customXml/item{i}.xml", b"<a/>") for i in range(n))])


def _recompress(data: bytes, method: int) -> bytes:
    return write_parts(read_parts(data), method)


# --------------------------------------------------------------------------- damaged forms


def _delete_rows(sheet: str, idx: int, amount: int = 1) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet].delete_rows(idx, amount)
    return change


def _insert_rows(sheet: str, idx: int) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet].insert_rows(idx)
    return change


def _delete_cols(sheet: str, idx: int) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb[sheet].delete_cols(idx)
    return change


def _remove_sheet(name: str) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        wb.remove(wb[name])
    return change


def _rename(pairs: dict[str, str]) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        for old, new in pairs.items():
            wb[old].title = new
    return change


def _reorder_hide(wb: Workbook) -> None:
    wb.move_sheet(ZP_NAME, offset=-1)
    wb[BD_NAME].sheet_state = "hidden"
    wb.active = 0


def _plain() -> bytes:
    wb = Workbook()
    wb.active["A1"] = "部门整体支出绩效评价基础数据表"
    out = io.BytesIO()
    wb.save(out)
    from perfeval.xlsx.io import normalise_zip

    return normalise_zip(out.getvalue())


def _merge(ranges: list[str], sheet: str = BD_NAME) -> Callable[[Workbook], None]:
    def change(wb: Workbook) -> None:
        for r in ranges:
            wb[sheet].merge_cells(r)
    return change


def _empty_numbers(wb: Workbook) -> None:
    for row in wb[ZP_NAME].iter_rows(min_row=18):
        for c in row:
            if c.column > 3 and not isinstance(c, MergedCell) and not isinstance(c.value, str):
                c.value = None


# --------------------------------------------------------------------------- data files (fill)


def _seed_json() -> dict[str, object]:
    return json.loads((EXAMPLES / "huaihua-2023.json").read_text(encoding="utf-8"))


def _json(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _many_projects(n: int) -> bytes:
    data = _seed_json()
    basic = data["basic"]
    assert isinstance(basic, dict)
    basic["projects"] = [{"name": f"项目{i}", "amounts": {"prev_actual": "1.00", "budget": "1.00", "actual": "1.00"}}
                         for i in range(n)]
    return _json(data)


def _seed_with(**changes: object) -> bytes:
    data = _seed_json()
    for path, value in changes.items():
        node: object = data
        keys = path.split("__")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]  # type: ignore[index]
        last = keys[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value  # type: ignore[index]
    return _json(data)


# --------------------------------------------------------------------------- project workbooks

Builder = Callable[[Bases], bytes | None]

P1 = "xl/worksheets/sheet1.xml"  # the first project sheet of the project example (专项（业务）经费)
P_NAMES = ("专项（业务）经费", "污水处理专项业务费", "城市基础设施配套征收经费", "污泥干化处置费", "污水截污干管费用",
           "鹤城一体化燃气规划专项经费")


def _project_rows(sheet: int) -> dict[str, int]:
    """Rows of the blocks of the example's project sheet ``sheet`` (from the pack's layout)."""
    from perfeval import forms
    from perfeval.forms.project.layout import Shape, sheet_rows

    book = forms.get("project").parse_json((EXAMPLES / PROJECT_EXAMPLE).read_text(encoding="utf-8"))
    shape = Shape.of(book)  # type: ignore[arg-type]
    s = shape.sheets[sheet]
    return sheet_rows(s.indicator_rows, s.goal_rows)


def _project_sheets(n: int) -> Callable[[Workbook], None]:
    """``n`` project sheets: the first sheet of a fresh project workbook copied (each named after its project)."""
    def change(wb: Workbook) -> None:
        first = wb.worksheets[0]
        for i in range(len([ws for ws in wb.worksheets if ws["A1"].value == "项目支出绩效自评表"]), n):
            copy = wb.copy_worksheet(first)
            copy.title = f"项目{i + 1}"
            copy["C3"] = f"项目{i + 1}"
            wb.move_sheet(copy, offset=i - wb.index(copy))
    return change


def _copy_sheets(source: bytes, names: list[str], at_end: bool) -> Callable[[Workbook], None]:
    """Sheets ``names`` of another workbook copied in (values and merges; what 移动或复制 between workbooks
    keeps), at the end or at the front."""
    def change(wb: Workbook) -> None:
        other = load_workbook(io.BytesIO(source))
        for k, name in enumerate(names):
            src = other[name]
            ws = wb.create_sheet(name, None if at_end else k)
            for row in src.iter_rows():
                for c in row:
                    if not isinstance(c, MergedCell) and c.value is not None:
                        ws.cell(row=c.row, column=c.column, value=c.value)
            for rng in src.merged_cells.ranges:
                ws.merge_cells(str(rng))
    return change


def _sheet_name_in_xml(data: bytes, old: str, new: bytes) -> bytes:
    """Sheet ``old`` renamed to ``new`` in xl/workbook.xml only (openpyxl refuses such names)."""
    return sub(data, WORKBOOK, b'name="' + old.encode() + b'"', b'name="' + new + b'"')


def _many_project_sheets_json(n: int) -> bytes:
    data = json.loads((EXAMPLES / PROJECT_EXAMPLE).read_text(encoding="utf-8"))
    first = data["projects"][0]
    data["projects"] = [{**first, "name": f"项目{i + 1}"} for i in range(n)]
    return _json(data)


PROJECT_SPECS: list[tuple[str, Builder]] = [
    ("project.xlsx", lambda b: b.project),
    ("project_fresh.xlsx", lambda b: b.project_fresh),
    ("project_final.xlsx", lambda b: b.project_final),
    ("project_final_value_changed.xlsx", lambda b: sub(b.project_final, P1, rb'<c r="E7"([^>]*)><v>[^<]*</v>',
                                                       rb'<c r="E7"\1><v>99</v>')),
    # rows deleted / inserted inside the indicator block, the 总分 row deleted, the funds block moved down
    ("project_deleted_indicator_rows.xlsx", lambda b: edit(b.project, _delete_rows(
        P_NAMES[0], _project_rows(0)["ind_first"] + 1, 2))),
    ("project_inserted_indicator_row.xlsx", lambda b: edit(b.project, _insert_rows(
        P_NAMES[1], _project_rows(1)["ind_first"] + 2))),
    ("project_total_removed.xlsx", lambda b: edit(b.project, _delete_rows(P_NAMES[0], _project_rows(0)["total"]))),
    ("project_funds_header_moved.xlsx", lambda b: edit(b.project, _insert_rows(P_NAMES[1], 6))),
    ("project_merged_funds.xlsx", lambda b: edit(b.project, _merge(["C7:H10"], P_NAMES[0]))),
    ("project_merged_indicators.xlsx", lambda b: edit(b.project, _merge(
        [f"D{_project_rows(1)['ind_first']}:I{_project_rows(1)['ind_first'] + 3}"], P_NAMES[1]))),
    # sheets: too many, names Excel forbids, a reserved name, a copy, another year, 计算结果 deleted
    ("project_600_sheets.xlsx", lambda b: edit(b.project_fresh, _project_sheets(600))),
    ("project_forbidden_sheet_name.xlsx", lambda b: _sheet_name_in_xml(b.project, P_NAMES[1],
                                                                       "项目/一[期]:*?".encode())),
    ("project_empty_sheet_name.xlsx", lambda b: _sheet_name_in_xml(b.project, P_NAMES[2], b"")),
    ("project_long_sheet_name.xlsx", lambda b: _sheet_name_in_xml(b.project, P_NAMES[2], ("长" * 40).encode())),
    ("project_reserved_sheet_name.xlsx", lambda b: edit(b.project, _rename({P_NAMES[3]: "校验结果"}))),
    ("project_copied_sheet.xlsx", lambda b: edit(b.project, lambda wb: setattr(
        wb.copy_worksheet(wb[P_NAMES[0]]), "title", f"{P_NAMES[0]} (2)"))),
    ("project_year_mismatch.xlsx", lambda b: edit(b.project, _cells(P_NAMES[2], {"A2": "（2022年度）"}))),
    ("project_no_year.xlsx", lambda b: edit(b.project, _cells(P_NAMES[0], {"A2": None}))),
    ("project_calc_deleted.xlsx", lambda b: edit(b.project, _remove_sheet("计算结果"))),
    ("project_wrong_values.xlsx", lambda b: edit(b.project, _cells(P_NAMES[0], {
        "C7": True, "D7": "#DIV/0!", "E7": "九十万元", "C8": dt.datetime(2023, 1, 1), "F7": -1e308, "G7": "=1/0"}))),
    # two forms in one workbook, both ways round
    ("project_with_department_sheets.xlsx", lambda b: edit(b.project, _copy_sheets(b.corrected, [BD_NAME, ZP_NAME],
                                                                                   at_end=True))),
    ("department_with_project_sheet.xlsx", lambda b: edit(b.corrected, _copy_sheets(b.project, [P_NAMES[0]],
                                                                                     at_end=False))),
    # data files
    ("data_projects.json", lambda b: (EXAMPLES / PROJECT_EXAMPLE).read_bytes()),
    ("data_projects_501.json", lambda b: _many_project_sheets_json(501)),
]


# --------------------------------------------------------------------------- the corpus


def _noise(n: int) -> str:
    """``n`` CJK characters that do not compress well (deterministic)."""
    rng = random.Random(n)
    return "".join(chr(0x4E00 + rng.randrange(0x5000)) for _ in range(n))


def _sheet_text(b: Bases, text: str) -> bytes:
    """A cell of 附件1-2 (偏差原因, column I of the first indicator row) holding ``text`` inline."""
    return sub(b.seed, ZP, rb'<c r="I18"([^>]*)/>|<c r="I18"([^>]*)>.*?</c>',
               b'<c r="I18" t="inlineStr"><is><t>' + text.encode() + b"</t></is></c>")


SPECS: list[tuple[str, Builder]] = [
    # --- not a zip / not a workbook
    ("empty.xlsx", lambda b: b""),
    ("directory.xlsx", lambda b: None),
    ("truncated_half.xlsx", lambda b: b.seed[: len(b.seed) // 2]),
    ("truncated_no_directory.xlsx", lambda b: b.seed[:-60]),
    ("truncated_1k.xlsx", lambda b: b.seed[:1024]),
    ("random_bytes.xlsx", lambda b: bytes(random.Random(7).getrandbits(8) for _ in range(20_000))),
    ("zeros.xlsx", lambda b: bytes(8192)),
    ("ole_encrypted.xlsx", lambda b: _ole(b"EncryptionInfo EncryptedPackage")),
    ("xls_renamed.xlsx", lambda b: _ole(b"Workbook \x09\x08\x10\x00\x00\x06\x05\x00")),
    ("csv_renamed.xlsx", lambda b: "项目,预算数,决算数\n专项经费,80.00,58.14\n".encode()),
    ("csv_gbk_renamed.xlsx", lambda b: "项目,预算数,决算数\n专项经费,80.00,58.14\n".encode("gbk")),
    ("html_renamed.xlsx", lambda b: "<html><body><table><tr><td>部门整体支出</td></tr></table></body></html>".encode()),
    ("xml2003_renamed.xlsx", lambda b: b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
                                       b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'),
    ("docx_renamed.xlsx", lambda b: _docx()),
    ("random_zip.xlsx", lambda b: _random_zip()),
    ("empty_zip.xlsx", lambda b: write_parts([])),
    ("plain_workbook.xlsx", lambda b: _plain()),
    # --- compression and zip directory
    ("stored.xlsx", lambda b: _recompress(b.seed, zipfile.ZIP_STORED)),
    ("bzip2.xlsx", lambda b: _recompress(b.seed, zipfile.ZIP_BZIP2)),
    ("lzma.xlsx", lambda b: _recompress(b.seed, zipfile.ZIP_LZMA)),
    ("method_99_aes.xlsx", lambda b: patch_central(b.seed, BD, method=99)),
    ("method_9_deflate64.xlsx", lambda b: patch_central(b.seed, BD, method=9)),
    ("zip_encrypted_flag.xlsx", lambda b: patch_central(b.seed, BD, flags=1)),
    ("damaged_data.xlsx", lambda b: _flip_byte(b.seed)),
    ("size_lie_smaller.xlsx", lambda b: _size_lie(b.seed, smaller=True)),
    ("size_lie_larger.xlsx", lambda b: _size_lie(b.seed, smaller=False)),
    ("duplicate_part.xlsx", lambda b: _duplicate(b.seed)),
    ("many_parts.xlsx", lambda b: _many_parts(b.seed, 3000)),
    ("many_parts_within.xlsx", lambda b: _many_parts(b.seed, 1500)),
    # --- zip bombs
    ("bomb_comments.xlsx", lambda b: with_comments(b.seed, _bomb_part(80 * 1024 * 1024))),
    ("bomb_unreferenced.xlsx", lambda b: replace(b.seed, {}, add=[("xl/media/x.xml", _bomb_part(40 * 1024 * 1024))])),
    ("bomb_sheet_ratio.xlsx", lambda b: sub(b.seed, CALC, rb"</sheetData>", b"</sheetData>" + b" " * 30_000_000)),
    ("bomb_declared_size.xlsx", lambda b: _declared_bomb(b.seed)),
    ("bomb_comments_within.xlsx", lambda b: with_comments(b.seed, comments(b"A1", "批注".encode() * 2000))),
    # --- XML entities and declarations
    ("laughs_sheet.xlsx", lambda b: replace(b.seed, {BD: with_doctype(part(b.seed, BD), BILLION_LAUGHS)})),
    ("laughs_sst.xlsx", lambda b: with_shared_strings(b.seed, with_doctype(_sst([b"&lol9;"]), BILLION_LAUGHS))),
    ("laughs_workbook.xlsx", lambda b: replace(b.seed, {WORKBOOK: with_doctype(part(b.seed, WORKBOOK),
                                                                                BILLION_LAUGHS)})),
    ("laughs_styles.xlsx", lambda b: replace(b.seed, {STYLES: with_doctype(part(b.seed, STYLES), BILLION_LAUGHS)})),
    ("xxe_sheet.xlsx", lambda b: replace(b.seed, {ZP: with_doctype(part(b.seed, ZP), XXE)})),
    ("xxe_sst.xlsx", lambda b: with_shared_strings(b.seed, with_doctype(_sst([b"&xxe;"]), XXE))),
    ("xxe_content_types.xlsx", lambda b: replace(b.seed, {CONTENT_TYPES: with_doctype(part(b.seed, CONTENT_TYPES),
                                                                                       XXE)})),
    ("xxe_rels.xlsx", lambda b: replace(b.seed, {WB_RELS: with_doctype(part(b.seed, WB_RELS), XXE_PARAM)})),
    ("xxe_core_props.xlsx", lambda b: replace(b.seed, {"docProps/core.xml": with_doctype(
        part(b.seed, "docProps/core.xml"), XXE)})),
    ("quadratic_blowup.xlsx", lambda b: with_shared_strings(b.seed, with_doctype(_sst([b"&a;" * 20_000]),
                                                                                 QUADRATIC))),
    ("xxe_vml.xlsx", lambda b: replace(b.flagged, {"xl/drawings/commentsDrawing1.vml": with_doctype(
        part(b.flagged, "xl/drawings/commentsDrawing1.vml"), XXE)})),
    # --- malformed and missing parts
    ("malformed_sheet.xlsx", lambda b: replace(b.seed, {BD: part(b.seed, BD)[:5000]})),
    ("malformed_workbook.xlsx", lambda b: replace(b.seed, {WORKBOOK: b"<workbook><sheets><sheet name="})),
    ("malformed_styles.xlsx", lambda b: replace(b.seed, {STYLES: part(b.seed, STYLES)[:3000]})),
    ("malformed_content_types.xlsx", lambda b: replace(b.seed, {CONTENT_TYPES: b"<Types><Override"})),
    ("malformed_rels.xlsx", lambda b: replace(b.seed, {WB_RELS: b"<Relationships><Relationship Id='rId1'"})),
    ("malformed_sst.xlsx", lambda b: with_shared_strings(b.seed, _sst([b"x"])[:-20])),
    ("bad_encoding_declaration.xlsx", lambda b: replace(b.seed, {BD: b'<?xml version="1.0" encoding="klingon"?>'
                                                                 + part(b.seed, BD)})),
    ("utf16_sheet.xlsx", lambda b: replace(b.seed, {CALC: b'\xff\xfe' + ('<?xml version="1.0" encoding="UTF-16"?>'
                                                                         + part(b.seed, CALC).decode()).encode(
                                                                             "utf-16-le")})),
    ("wrong_root_sheet.xlsx", lambda b: replace(b.seed, {BD: b'<foo xmlns="urn:x"><bar/></foo>'})),
    ("wrong_types_in_styles.xlsx", lambda b: sub(b.seed, STYLES, rb'numFmtId="(\d+)"', b'numFmtId="abc"')),
    ("missing_styles.xlsx", lambda b: replace(b.seed, {STYLES: None})),
    ("missing_workbook.xlsx", lambda b: replace(b.seed, {WORKBOOK: None})),
    ("missing_content_types.xlsx", lambda b: replace(b.seed, {CONTENT_TYPES: None})),
    ("missing_sheet_part.xlsx", lambda b: replace(b.seed, {BD: None})),
    ("missing_rels.xlsx", lambda b: replace(b.seed, {WB_RELS: None, "_rels/.rels": None})),
    ("sst_index_out_of_range.xlsx", lambda b: sub(with_shared_strings(b.seed, _sst([b"x"])), CALC,
                                                  rb't="s"><v>0</v>', b't="s"><v>99999</v>')),
    ("missing_sst.xlsx", lambda b: replace(with_shared_strings(b.seed, _sst([b"x"])),
                                           {"xl/sharedStrings.xml": None})),
    ("bad_cell_reference.xlsx", lambda b: sub(b.seed, BD, rb'<c r="B14"', b'<c r="14B"')),
    # --- huge used ranges and counts
    ("huge_dimension.xlsx", lambda b: sub(b.seed, BD, rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"')),
    ("far_cell.xlsx", lambda b: add_to_sheet_data(b.seed, CALC, b'<row r="1048576"><c r="XFD1048576"><v>1</v>'
                                                                b"</c></row>")),
    ("far_cell_above_limit.xlsx", lambda b: add_to_sheet_data(b.seed, BD, b'<row r="50001"><c r="A50001"><v>1</v>'
                                                                          b"</c></row>")),
    ("far_cell_within_limit.xlsx", lambda b: add_to_sheet_data(b.seed, BD, b'<row r="49999"><c r="A49999"><v>1</v>'
                                                                           b"</c></row>")),
    ("far_corner_official.xlsx", lambda b: add_to_sheet_data(b.corrected, BD, b'<row r="49999"><c r="XFD49999">'
                                                                            b"<v>1</v></c></row>")),
    ("wide_used_range_within.xlsx", lambda b: add_to_sheet_data(b.corrected, BD, b'<row r="49999"><c r="CV49999">'
                                                                                 b"<v>1</v></c></row>")),
    ("far_comment.xlsx", lambda b: with_comments(add_to_sheet_data(b.corrected, CALC, b'<row r="40000"/>'),
                                                 comments(b"XFD1", b"x"))),
    ("million_rows.xlsx", lambda b: add_to_sheet_data(b.seed, CALC, many_rows(1_000_000))),
    ("many_row_records_within.xlsx", lambda b: add_to_sheet_data(b.seed, CALC, many_rows(30_000))),
    ("many_cells.xlsx", lambda b: add_to_sheet_data(b.seed, CALC, many_rows(50_000, cells=True).replace(
        b"</c></row>", b"</c>" + b"".join(b'<c><v>%d</v></c>' % i for i in range(8)) + b"</row>"))),
    ("many_cells_within.xlsx", lambda b: add_to_sheet_data(b.seed, CALC, b"".join(
        b'<row r="%d">' % r + b"".join(b"<c><v>%d</v></c>" % (r * 10 + i) for i in range(10)) + b"</row>"
        for r in range(200, 200 + 19_000)))),
    ("comments_many_within.xlsx", lambda b: with_comments(b.seed, many_comments(10_000))),
    ("comments_too_many.xlsx", lambda b: with_comments(b.seed, many_comments(20_000))),
    ("styles_many_within.xlsx", lambda b: sub(b.seed, STYLES, rb"<cellXfs[^>]*>", b'<cellXfs count="63900">'
                                              + _varied_xfs(63_900))),
    ("rules_too_many.xlsx", lambda b: sub(b.seed, CALC, rb"</sheetData>", b"</sheetData>" + b"".join(
        b'<conditionalFormatting sqref="A%d"><cfRule type="expression" priority="%d"><formula>A%d&gt;1</formula>'
        b"</cfRule></conditionalFormatting>" % (i + 1, i + 1, i + 1) for i in range(20_000)))),
    ("merge_bomb.xlsx", lambda b: sub(b.seed, CALC, rb"</sheetData>",
                                      b'</sheetData><mergeCells count="1"><mergeCell ref="A100:XFD1048576"/>'
                                      b"</mergeCells>")),
    ("merge_block_project.xlsx", lambda b: edit(b.seed, _merge(["A14:G20"]))),
    ("merge_overlapping.xlsx", lambda b: sub(b.seed, BD, rb"<mergeCells[^>]*>",
                                             b'<mergeCells><mergeCell ref="A1:C3"/><mergeCell ref="B2:D4"/>'
                                             b'<mergeCell ref="B14:C14"/>')),
    ("merge_invalid_ref.xlsx", lambda b: sub(b.seed, BD, rb"<mergeCells[^>]*>",
                                             b'<mergeCells><mergeCell ref="foo"/><mergeCell ref="A0:B0"/>')),
    ("hyperlink_bomb.xlsx", lambda b: sub(b.seed, CALC, rb"</sheetData>",
                                          b'</sheetData><hyperlinks><hyperlink ref="A1:Z50000" location="A1"/>'
                                          b"</hyperlinks>")),
    ("comment_range_bomb.xlsx", lambda b: with_comments(b.seed, comments(b"A1:XFD40000", b"x"))),
    ("col_bomb.xlsx", lambda b: sub(b.seed, CALC, rb"<cols>", b'<cols><col min="20" max="999999999" width="9"/>')),
    ("sst_count_bomb.xlsx", lambda b: with_shared_strings(b.seed, _sst([b"%x" % i for i in range(400_000)]))),
    ("sst_1mb_string.xlsx", lambda b: with_shared_strings(b.seed, _sst([_noise(1_048_576).encode()]))),
    ("sst_1mb_string_stored.xlsx", lambda b: _recompress(with_shared_strings(b.seed, _sst([b"x" * 1_048_576])),
                                                         zipfile.ZIP_STORED)),
    ("styles_bomb.xlsx", lambda b: sub(b.seed, STYLES, rb"<cellXfs[^>]*>",
                                       b'<cellXfs count="400000">' + b"".join(
                                           b'<xf numFmtId="%d" fontId="0"/>' % i for i in range(400_000)))),
    ("cell_text_1mb.xlsx", lambda b: _sheet_text(b, _noise(1_048_576))),
    ("cell_text_excel_limit.xlsx", lambda b: _sheet_text(b, "偏差原因" * 8191 + "末尾")),
    ("formula_too_long.xlsx", lambda b: sub(b.seed, CALC, rb"<f>", b"<f>" + b"1+" * 5000, count=1)),
    ("many_sheets.xlsx", lambda b: edit(b.seed, lambda wb: [wb.create_sheet(f"附表{i}") for i in range(200)])),
    ("infinite_numbers.xlsx", lambda b: sub(b.seed, BD, rb'<c r="D14"([^>]*)><v>[^<]*</v>',
                                            rb'<c r="D14"\1><v>INF</v>')),
    ("nan_number.xlsx", lambda b: sub(b.seed, BD, rb'<c r="D14"([^>]*)><v>[^<]*</v>', rb'<c r="D14"\1><v>NaN</v>')),
    ("overflow_number.xlsx", lambda b: sub(b.seed, BD, rb'<c r="D14"([^>]*)><v>[^<]*</v>',
                                           rb'<c r="D14"\1><v>1e999</v>')),
    # --- damaged official forms, other templates
    ("deleted_row_bd.xlsx", lambda b: edit(b.seed, _delete_rows(BD_NAME, 8))),
    ("deleted_project_rows.xlsx", lambda b: edit(b.seed, _delete_rows(BD_NAME, 14, 10))),
    ("inserted_row_bd.xlsx", lambda b: edit(b.seed, _insert_rows(BD_NAME, 10))),
    ("deleted_column_zp.xlsx", lambda b: edit(b.seed, _delete_cols(ZP_NAME, 4))),
    ("deleted_rows_zp.xlsx", lambda b: edit(b.seed, _delete_rows(ZP_NAME, 13, 3))),
    ("deleted_sheet_bd.xlsx", lambda b: edit(b.seed, _remove_sheet(BD_NAME))),
    ("deleted_sheet_zp.xlsx", lambda b: edit(b.seed, _remove_sheet(ZP_NAME))),
    ("renamed_official_sheets.xlsx", lambda b: edit(b.seed, _rename({BD_NAME: "基础数据", ZP_NAME: "自评"}))),
    ("reordered_hidden_sheets.xlsx", lambda b: edit(b.seed, _reorder_hide)),
    ("fresh_template.xlsx", lambda b: b.fresh),
    ("template_2019.xlsx", lambda b: b.year2019),
    ("other_title.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"A2": "某某表", "A7": "其他经费"}))),
    ("seed.xlsx", lambda b: b.seed),
    ("corrected.xlsx", lambda b: b.corrected),
    # --- wrong-typed and absurd values
    ("bool_amounts.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B14": True, "D14": False, "F5": True}))),
    ("date_amounts.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B14": dt.datetime(2023, 5, 1),
                                                                    "D8": dt.date(2024, 1, 1)}))),
    ("error_values.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B14": "#DIV/0!", "D14": "#REF!", "B5": "#N/A",
                                                                    "F7": "#VALUE!"}))),
    ("error_values_zp.xlsx", lambda b: edit(b.seed, _cells(ZP_NAME, {"G18": "#DIV/0!", "H18": "#REF!",
                                                                       "C5": "#NUM!"}))),
    ("huge_numbers.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B14": 1e308, "D14": -1e308, "F14": 1e-300,
                                                                    "B5": 1e300}))),
    ("huge_number_texts.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B14": "inf", "D14": "-Infinity",
                                                                         "F14": "NaN", "B15": "1e400",
                                                                         "D15": "9" * 400}))),
    ("negative_weights.xlsx", lambda b: edit(b.seed, _cells(ZP_NAME, {"G18": -10, "H18": -5, "F5": -1}))),
    ("text_in_numbers.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B14": "63.88万元", "D14": "１．００",
                                                                       "B5": "40人"}))),
    ("foreign_formulas.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"F5": "=B5/D5", "B7": "=B7",
                                                                        "D14": "=SUM(A1:A3)", "B13": "=1/0"}))),
    ("formula_in_input.xlsx", lambda b: edit(b.seed, _cells(ZP_NAME, {"G18": "=1+1", "C5": "=NOW()"}))),
    ("control_characters.xlsx", lambda b: edit(b.seed, _cells(BD_NAME, {"B3": "单位\t名称\n（换行）\u200b\u202e"}))),
    ("escaped_control_characters.xlsx", lambda b: sub(b.seed, BD, rb'<c r="B3"([^>]*)>.*?</c>',
                                                      rb'<c r="B3" t="inlineStr"><is><t>_x0007__x001B_unit</t>'
                                                      rb"</is></c>")),
    ("invalid_xml_character.xlsx", lambda b: sub(b.seed, BD, rb'<c r="B3"([^>]*)>.*?</c>',
                                                 rb'<c r="B3" t="inlineStr"><is><t>&#1;&#xFFFE;</t></is></c>')),
    ("emptied_values.xlsx", lambda b: edit(b.seed, _empty_numbers)),
    # --- hand-edited helper sheets
    ("state_bad_address.xlsx", lambda b: edit(b.flagged, _state_rows([
        [BD_NAME, "ZZZZ99999999", "FFFFC7CE", "", ""], [BD_NAME, "=A1", "", "", ""], [BD_NAME, "", "", "", ""],
        [BD_NAME, "B0", "", "", ""], ["不存在的表", "A1", "FFFFC7CE", "x", ""]]))),
    ("state_bad_colour.xlsx", lambda b: edit(b.flagged, _state_rows([
        [BD_NAME, "B14", "notacolour", "", ""], [BD_NAME, "D14", "theme:x:y", "", ""],
        [BD_NAME, "F14", "indexed:999", "", ""], [ZP_NAME, "G18", "#12", "", ""],
        [ZP_NAME, "H18", "theme:1:99", "", ""]]))),
    ("state_bad_colour_flagged_cell.xlsx", lambda b: edit(b.flagged, lambda wb: [
        setattr(c, "value", "zz-not-a-colour") for c in wb[STATE]["C"][1:]])),
    ("state_huge_range.xlsx", lambda b: edit(b.flagged, _state_rows([[BD_NAME, "A1:XFD1048576", "", "", ""],
                                                                     [BD_NAME, "A:A", "", "", ""]]))),
    ("state_wrong_types.xlsx", lambda b: edit(b.flagged, _state_rows([
        [1, 2, 3, 4, 5], [True, False, True, True, True], [dt.datetime(2024, 1, 1), "B14", 1.5, None, 1],
        [BD_NAME, "B14", 255, 7.25, "yes"], [BD_NAME, "#REF!", "#N/A", "#DIV/0!", None]]))),
    ("state_extra_columns.xlsx", lambda b: edit(b.flagged, _state_rows([
        [BD_NAME, "B14", "FFFFC7CE", "旧批注", "", "多余", 1, 2, 3, "=1/0"]]))),
    ("state_far_cell.xlsx", lambda b: edit(b.flagged, _cells(STATE, {"XFD1": "x", "A40000": "y"}))),
    ("state_many_rows.xlsx", lambda b: edit(b.flagged, _state_rows(
        [[ZP_NAME, f"D{18 + i % 9}", "FFFFFF00", f"批注{i}", ""] for i in range(10_000)]))),
    ("state_long_note.xlsx", lambda b: edit(b.flagged, _state_rows([[BD_NAME, "B14", "", "长" * 40_000, ""]]))),
    ("state_sheet_visible_merged.xlsx", lambda b: edit(b.flagged, lambda wb: (
        setattr(wb[STATE], "sheet_state", "visible"), wb[STATE].merge_cells("A1:E3")))),
    ("state_deleted.xlsx", lambda b: edit(b.flagged, _remove_sheet(STATE))),
    ("results_deleted.xlsx", lambda b: edit(b.flagged, _remove_sheet("校验结果"))),
    ("results_junk.xlsx", lambda b: edit(b.flagged, _cells("校验结果", {
        "B5": True, "D5": 3.5, "E5": "=HYPERLINK(", "I5": "说" * 30_000, "I6": dt.datetime(2024, 1, 1),
        "Z9999": "远处", "E7": "A1:XFD1048576"}))),
    ("results_renamed.xlsx", lambda b: edit(b.flagged, _rename({"校验结果": "校验结果(旧)"}))),
    ("calc_deleted.xlsx", lambda b: edit(b.seed, _remove_sheet("计算结果"))),
    ("calc_renamed.xlsx", lambda b: edit(b.seed, _rename({"计算结果": "我的计算"}))),
    ("calc_vandalised.xlsx", lambda b: edit(b.seed, _cells("计算结果", {"A1": None, "B3": "=1/0", "A20": "x",
                                                                          "C3": True}))),
    ("meta_edited.xlsx", lambda b: edit(b.seed, _cells("_perfeval", {"B1": "other", "B4": "abc", "B5": -3,
                                                                       "B6": "not json", "A7": "extra",
                                                                       "B7": "=1/0"}))),
    ("meta_deleted.xlsx", lambda b: edit(b.seed, _remove_sheet("_perfeval"))),
    ("meta_visible_huge.xlsx", lambda b: edit(b.seed, lambda wb: (
        setattr(wb["_perfeval"], "sheet_state", "visible"), _cells("_perfeval", {"B6": "[" * 20_000})(wb)))),
    ("flagged.xlsx", lambda b: b.flagged),
    # --- final (exported) workbooks
    ("final.xlsx", lambda b: b.final),
    ("final_value_changed.xlsx", lambda b: sub(b.final, BD, rb'<c r="B5"([^>]*)><v>[^<]*</v>',
                                               rb'<c r="B5"\1><v>99</v>')),
    ("final_meta_edited.xlsx", lambda b: edit(b.final, lambda wb: _cells(
        wb.sheetnames[-1], {"B1": None, "A2": "cells", "B2": "999999999"})(wb))),
    ("final_unprotected.xlsx", lambda b: sub(b.final, BD, rb"<sheetProtection[^>]*/>", b"")),
    # --- data files for fill
    ("data_seed.json", lambda b: (EXAMPLES / "huaihua-2023.json").read_bytes()),
    ("data_empty.json", lambda b: b""),
    ("data_directory.json", lambda b: None),
    ("data_bad_json.json", lambda b: b'{"year": 2023, "basic": {'),
    ("data_not_utf8.json", lambda b: '{"year": 2023, "basic": {"unit_name": "怀化"}}'.encode("gbk")),
    ("data_array_root.json", lambda b: b"[]"),
    ("data_null.json", lambda b: b"null"),
    ("data_wrong_types.json", lambda b: _json({"year": "二〇二三", "basic": {"projects": "x", "staff_actual": [1]},
                                               "self_eval": 5})),
    ("data_wrong_nested_types.json", lambda b: _seed_with(basic__projects__0__amounts__budget=True,
                                                          basic__staff_authorized="四十",
                                                          self_eval__indicators__0__weight={"x": 1})),
    ("data_huge_array.json", lambda b: _json({"year": 2023, "basic": {"projects": [{}] * 150_000}})),
    ("data_10000_projects.json", lambda b: _many_projects(10_000)),
    ("data_5000_projects.json", lambda b: _many_projects(5_000)),
    ("data_deep_nesting.json", lambda b: b"[" * 100_000 + b"]" * 100_000),
    ("data_long_number.json", lambda b: b'{"year": ' + b"9" * 100_000 + b"}"),
    ("data_huge_numbers.json", lambda b: _seed_with(basic__projects__0__amounts__budget="1e308",
                                                    basic__projects__1__amounts__budget="-1e308",
                                                    basic__projects__2__amounts__actual="1e-300")),
    ("data_negative.json", lambda b: _seed_with(basic__projects__0__amounts__budget="-80.00",
                                                basic__staff_authorized=-3)),
    ("data_control_chars.json", lambda b: _seed_with(basic__unit_name="单位\u0007名称\u001b\u0000",
                                                     self_eval__goal_expected="目标\u000b")),
    ("data_long_text.json", lambda b: _seed_with(self_eval__goal_expected="长" * 1_048_576)),
    ("data_text_excel_limit.json", lambda b: _seed_with(self_eval__goal_expected="目标" * 16_383)),
    ("data_year_out_of_range.json", lambda b: _seed_with(year=99999)),
    *PROJECT_SPECS,
]


def build_corpus(directory: Path) -> list[Path]:
    """Write every corpus file into ``directory`` (created); the same bytes on every run."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    bases = make_bases()
    paths = []
    for name, builder in SPECS:
        path = directory / name
        body = builder(bases)
        if body is None:
            path.mkdir(exist_ok=True)
        else:
            path.write_bytes(body)
        paths.append(path)
    return paths


# --------------------------------------------------------------------------- running the commands

#: every command on every workbook (``{f}`` the corpus file, ``{o}`` the command's own output folder, ``{d}`` the
#: corpus folder): ``validate --with`` both ways, the file as the project side (against the corrected 附件1-1) and
#: as the other side (of the project example)
WORKBOOK_COMMANDS: dict[str, list[str]] = {
    "compute": ["compute", "{f}", "-o", "{o}/compute.xlsx"],
    "validate": ["validate", "{f}"],
    "validate-o": ["validate", "{f}", "-o", "{o}/validate.xlsx"],
    "validate-with": ["validate", "{f}", "--with", "{d}/corrected.xlsx"],
    "validate-companion": ["validate", "{d}/project.xlsx", "--with", "{f}"],
    "clear": ["clear", "{f}", "-o", "{o}/clear.xlsx"],
    "export": ["export", "{f}", "-o", "{o}/export.xlsx"],
    "export-force": ["export", "{f}", "--force", "--reason", "x", "-o", "{o}/export.xlsx"],
    "verify": ["verify", "{f}"],
    "extract": ["extract", "{f}"],
}
DATA_COMMANDS: dict[str, list[str]] = {"fill": ["fill", "{f}", "-o", "{o}/fill.xlsx"]}
CPU_SECONDS = 10  # per command (CPU time: the machine may be shared)
WALL_SECONDS = 60  # a command that waits without computing
ADDRESS_SPACE = 2 * 1024 ** 3  # safety net of virtual memory; the test asserts the resident peak


def commands_for(path: Path) -> dict[str, list[str]]:
    return DATA_COMMANDS if path.suffix == ".json" else WORKBOOK_COMMANDS


def _preload() -> None:
    """Import what the commands import lazily, once, before forking (each child then starts warm)."""
    import perfeval.cli
    import perfeval.rules
    import perfeval.xlsx.export
    import perfeval.xlsx.flags
    import perfeval.xlsx.verify
    import perfeval.xlsx.workflow  # noqa: F401


def _child(argv: list[str], out: Path) -> None:
    import os
    import resource
    import traceback

    rc = 99
    try:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
        os.chdir(out)
        for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
            target = os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        from perfeval.cli import main as cli_main

        try:
            rc = cli_main(argv)
        except SystemExit as exc:  # argparse
            rc = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(rc)


def run_command(argv: list[str], out: Path) -> dict[str, object]:
    """Run ``perfeval argv`` in a forked child with the limits; what it did."""
    import os
    import signal
    import time

    out.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        _child(argv, out)
    status, usage = 0, None
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() - t0 > WALL_SECONDS:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            break
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    rc = os.waitstatus_to_exitcode(status)
    files = sorted(p.name for p in out.iterdir() if p.name not in ("stdout.txt", "stderr.txt"))
    return {
        "rc": rc,  # negative: killed by that signal
        "wall": round(wall, 3),
        "cpu": round(usage.ru_utime + usage.ru_stime, 3) if usage else None,
        "maxrss_mb": round(usage.ru_maxrss / 1024, 1) if usage else None,
        "stderr": (out / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-4000:],
        "stdout_tail": (out / "stdout.txt").read_text(encoding="utf-8", errors="replace")[-500:],
        "files": files,
    }


def _digest(path: Path) -> str:
    import hashlib

    if path.is_dir():
        return "dir:" + ",".join(sorted(p.name for p in path.iterdir()))
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_corpus(paths: list[Path], out_root: Path) -> dict[str, dict[str, dict[str, object]]]:
    """Every command on every file (sequentially, one forked child each): ``{file: {command: result}}``,
    each result also saying whether the input changed."""
    _preload()
    results: dict[str, dict[str, dict[str, object]]] = {}
    for path in paths:
        per: dict[str, dict[str, object]] = {}
        for command, template in commands_for(path).items():
            out = out_root / path.name / command
            argv = [a.format(f=path, o=out, d=path.parent) for a in template]
            before = _digest(path)
            result = run_command(argv, out)
            result["input_changed"] = _digest(path) != before
            per[command] = result
        results[path.name] = per
    return results


def main(argv: list[str] | None = None) -> int:
    """``python -m tests.corpus OUTDIR`` builds the corpus; ``--run OUTDIR RESULTS.json [NAME…]`` also runs
    every command on (the named) corpus files and writes what happened."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) >= 3 and args[0] == "--run":
        directory, report = Path(args[1]), Path(args[2])
        names = args[3:]
        if not (directory / SPECS[0][0]).exists() and not (directory / SPECS[1][0]).exists():
            build_corpus(directory)
        paths = [directory / n for n in (names or [n for n, _ in SPECS])]
        with tempfile.TemporaryDirectory() as d:
            results = run_corpus(paths, Path(d))
        report.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
        bad = [(f, c) for f, per in results.items() for c, r in per.items() if r["rc"] not in (0, 1, 2)]
        print(f"{sum(len(p) for p in results.values())} 次运行，{len(bad)} 次退出码不是 0/1/2")
        return 0
    if len(args) != 1:
        print("用法：python -m tests.corpus 输出目录 | --run 语料目录 结果.json [文件名…]", file=sys.stderr)
        return 2
    paths = build_corpus(Path(args[0]))
    print(f"已生成 {len(paths)} 个文件：{args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
