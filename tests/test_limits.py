"""The supported maximum (perfeval/limits.py), the package guard at each edge, and linear merges that give
exactly openpyxl's result. Speed itself is measured by benchmarks/bench.py --scaling, not asserted here."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.merge import MergedCellRange

from perfeval import limits
from perfeval.cli import main as cli_main
from perfeval.forms.department.layout import BD_SHEET, Shape, build_layout
from perfeval.forms.department.model import Report
from perfeval.limits import LimitError, check_data_text, check_shape
from perfeval.xlsx import guard, writer
from perfeval.xlsx.guard import PackageRefused, check_package
from perfeval.xlsx.guard import inspect_package as full_inspection
from perfeval.xlsx.io import WorkbookError, normalise_zip, open_workbook, workbook_bytes
from perfeval.xlsx.merges import fast_merged_ranges, merge_range
from perfeval.xlsx.workflow import fill
from tests.corpus import (
    BD,
    BILLION_LAUGHS,
    CALC,
    ZP,
    add_to_sheet_data,
    part,
    replace,
    sub,
    with_comments,
    with_doctype,
    write_parts,
)

# --------------------------------------------------------------------------- defusedxml stays active


def inspect_package(data: bytes, name: str) -> guard.PackageStats:
    """The full inspection, after the quick check every reader calls (:func:`check_package`) has given the same
    outcome: the same refusal message, or no refusal (then the full inspection must not refuse either)."""
    try:
        check_package(data, name)
    except PackageRefused as quick:
        with pytest.raises(PackageRefused) as full:
            full_inspection(data, name)
        assert str(full.value) == str(quick)
        raise
    try:
        return full_inspection(data, name)
    except PackageRefused as exc:
        pytest.fail(f"check_package accepted what inspect_package refuses: {exc}")



def test_openpyxl_parses_through_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True
    from openpyxl.xml import functions

    assert functions.fromstring.__module__.startswith("defusedxml")
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_entities_refused_by_openpyxl_too(seed_xlsx: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second line of defence: with the guard switched off, defusedxml refuses the entity declaration
    inside openpyxl and open_workbook turns it into a Chinese WorkbookError."""
    data = seed_xlsx.read_bytes()
    bad = tmp_path / "laughs.xlsx"
    bad.write_bytes(replace(data, {WORKBOOK: with_doctype(part(data, WORKBOOK), BILLION_LAUGHS)}))
    monkeypatch.setattr("perfeval.xlsx.io._inspect_once", lambda *_: None)
    with pytest.raises(WorkbookError, match="XML 实体"):
        open_workbook(bad)


WORKBOOK = "xl/workbook.xml"

# --------------------------------------------------------------------------- the largest report


def test_shape_limits_at_the_edge() -> None:
    check_shape(limits.MAX_PROJECTS, limits.MAX_INDICATOR_ROWS)  # at the limit: fine
    with pytest.raises(LimitError, match=f"{limits.MAX_PROJECTS + 1} 行，超过本工具支持的上限"):
        check_shape(limits.MAX_PROJECTS + 1)
    with pytest.raises(LimitError, match="三级指标"):
        check_shape(0, limits.MAX_INDICATOR_ROWS + 1)


def test_layout_at_and_above_the_limit() -> None:
    at = build_layout(Shape(year=2025, n_projects=limits.MAX_PROJECTS, indicator_rows=((limits.MAX_INDICATOR_ROWS,),)))
    assert at.shape.n_projects == limits.MAX_PROJECTS
    with pytest.raises(LimitError):
        build_layout(Shape(year=2025, n_projects=limits.MAX_PROJECTS + 1, indicator_rows=((1,),)))
    with pytest.raises(LimitError):
        build_layout(Shape(year=2025, n_projects=1, indicator_rows=((limits.MAX_INDICATOR_ROWS, 1),)))


@pytest.mark.parametrize("projects", [limits.MAX_PROJECTS + 1, 100_000, 10 ** 9])
def test_new_above_the_limit_exits_2(projects: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.xlsx"
    assert cli_main(["new", "--projects", str(projects), "-o", str(out)]) == 2
    assert "超过本工具支持的上限" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_fill_above_the_limit_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads((Path(__file__).parent.parent / "examples" / "huaihua-2023.json").read_text(encoding="utf-8"))
    data["basic"]["projects"] = [{"name": f"项目{i}"} for i in range(limits.MAX_PROJECTS + 1)]
    src = tmp_path / "d.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert cli_main(["fill", str(src), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert f"{limits.MAX_PROJECTS + 1} 行" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize(("limit", "value"), [("MAX_PROJECTS", 9), ("MAX_INDICATOR_ROWS", 8)])
def test_reading_above_the_limit_exits_2(seed_xlsx: Path, monkeypatch: pytest.MonkeyPatch, limit: str, value: int,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """The seed has 10 project rows and 9 indicator rows: one above these lowered limits."""
    monkeypatch.setattr(limits, limit, value)
    for command in (["validate", str(seed_xlsx)], ["extract", str(seed_xlsx)]):
        assert cli_main(command) == 2
        assert "超过本工具支持的上限" in capsys.readouterr().err
    monkeypatch.setattr(limits, limit, value + 1)  # at the limit
    assert cli_main(["extract", str(seed_xlsx)]) == 0


# --------------------------------------------------------------------------- data files


def test_data_values_at_the_edge() -> None:
    at = "[" + ",".join(["1"] * limits.MAX_DATA_VALUES) + "]"  # MAX-1 commas + 1 array = MAX
    check_data_text(at, "a.json")
    with pytest.raises(LimitError, match="数据项"):
        check_data_text("[" + at + "]", "a.json")


def test_data_values_inside_strings_do_not_count() -> None:
    check_data_text(json.dumps({"x": "{[,]}" * 6_000}), "a.json")  # 30,000 brackets and commas


def test_data_number_length_at_the_edge() -> None:
    check_data_text('{"year": ' + "9" * limits.MAX_DATA_TOKEN + "}", "a.json")
    with pytest.raises(LimitError, match="数值"):
        check_data_text('{"year": ' + "9" * (limits.MAX_DATA_TOKEN + 1) + "}", "a.json")


@pytest.mark.parametrize("ascii_only", [True, False])
def test_data_text_length_at_the_edge(ascii_only: bool) -> None:
    at = json.dumps({"x": "长" * limits.MAX_CELL_TEXT}, ensure_ascii=ascii_only)  # escaped: 6 characters each
    check_data_text(at, "a.json")
    with pytest.raises(LimitError, match=f"{limits.MAX_CELL_TEXT + 1} 个字符"):
        check_data_text(json.dumps({"x": "长" * (limits.MAX_CELL_TEXT + 1)}, ensure_ascii=ascii_only), "a.json")


def test_data_file_size() -> None:
    with pytest.raises(LimitError, match="过大"):
        check_data_text(" " * (limits.MAX_DATA_BYTES + 1), "a.json")


# --------------------------------------------------------------------------- the guard at each edge


@pytest.fixture(scope="module")
def seed_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    from tests.conftest import load_example

    path = tmp_path_factory.mktemp("seed") / "seed.xlsx"
    fill(load_example(), path)
    return normalise_zip(path.read_bytes())


def _refused(data: bytes, match: str) -> None:
    with pytest.raises(PackageRefused, match=match):
        inspect_package(data, "x.xlsx")


def test_real_workbook_passes(seed_bytes: bytes) -> None:
    stats = inspect_package(seed_bytes, "seed.xlsx")
    assert stats.cells > 200 and stats.parts == len(zipfile.ZipFile(io.BytesIO(seed_bytes)).infolist())
    assert stats.max_row[BD] == 34  # the footer row of a 10-project 附件1-1


def test_rows_at_the_edge(seed_bytes: bytes) -> None:
    n = limits.MAX_SHEET_ROWS
    inspect_package(add_to_sheet_data(seed_bytes, CALC, b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n)), "x")
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="%d"/>' % (n + 1)), f"第 {n + 1} 行")
    _refused(sub(seed_bytes, CALC, rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B%d"' % (n + 1)), "dimension")
    # a cell naming a row beyond its row record, and rows without numbers counting on
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="A%d"><v>1</v></c></row>' % (n + 1)),
             "单元格用到")
    unnumbered = b"<row/>" * (n - 100)
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="200"/>' + unnumbered), "行记录用到")


def test_columns_at_the_edge(seed_bytes: bytes) -> None:
    inspect_package(add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="XFD200"><v>1</v></c></row>'), "x")
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="XFE200"><v>1</v></c></row>'), "最大列")
    cells = b"<c><v>1</v></c>" * (limits.MAX_SHEET_COLS + 1)  # no references: columns count on
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="200">' + cells + b"</row>"), "最大列")


def test_used_range_area_at_the_edge(seed_bytes: bytes) -> None:
    """Code that walks a sheet's used range (openpyxl's read-only rows pad every row to the last column) is
    bounded by rows x columns."""
    rows = limits.MAX_SHEET_AREA // 200  # column GR = 200

    def corner(row: int, ref: bytes) -> bytes:
        return add_to_sheet_data(seed_bytes, CALC, b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (row, ref, row))

    inspect_package(corner(rows, b"GR"), "x")
    _refused(corner(rows + 1, b"GR"), "已用区域达到")
    _refused(corner(rows, b"GS"), "已用区域达到")
    widths = b'<cols><col min="1" max="16384" width="9"/>'  # column widths are not the used range
    inspect_package(sub(corner(rows, b"GR"), CALC, rb"<cols>", widths), "x")


def test_cell_text_at_the_edge(seed_bytes: bytes) -> None:
    def text(n: int) -> bytes:
        return add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="A200" t="inlineStr"><is><t>'
                                 + "长".encode() * n + b"</t></is></c></row>")

    inspect_package(text(limits.MAX_CELL_TEXT), "x")
    _refused(text(limits.MAX_CELL_TEXT + 1), "超过 32767 个字符")
    runs = b"<r><t>" + b"x" * 20_000 + b"</t></r>"  # a rich text split in runs counts as one text
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="A200" t="inlineStr"><is>' + runs * 2
                               + b"</is></c></row>"), "超过 32767 个字符")


def test_formula_length_at_the_edge(seed_bytes: bytes) -> None:
    def formula(n: int) -> bytes:
        return add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="A200"><f>' + b"1" * n
                                 + b"</f><v>1</v></c></row>")

    inspect_package(formula(limits.MAX_FORMULA_TEXT), "x")
    _refused(formula(limits.MAX_FORMULA_TEXT + 1), "一个公式超过")


def test_comment_text_and_range(seed_bytes: bytes) -> None:
    from tests.corpus import comments

    inspect_package(with_comments(seed_bytes, comments(b"B2", b"x" * limits.MAX_CELL_TEXT)), "x")
    _refused(with_comments(seed_bytes, comments(b"B2", b"x" * (limits.MAX_CELL_TEXT + 1))), "一条批注")
    _refused(with_comments(seed_bytes, comments(b"A%d" % (limits.MAX_SHEET_ROWS + 1), b"x")), "批注用到")


def test_range_cells_at_the_edge(seed_bytes: bytes) -> None:
    """Merged ranges (also hyperlinks, comments) make openpyxl create every cell they cover."""
    budget = limits.MAX_RANGE_CELLS - inspect_package(seed_bytes, "x").range_cells  # the form's own merges
    q, r = divmod(budget, 100)

    def merged(extra: int) -> bytes:  # q rows of 100 columns, then r + extra cells of one column
        refs = b'<mergeCell ref="A2000:CV%d"/>' % (2000 + q - 1)
        refs += b'<mergeCell ref="A%d:A%d"/>' % (2000 + q + 1, 2000 + q + r + extra)
        return sub(seed_bytes, CALC, rb"<mergeCells[^>]*>", b"<mergeCells>" + refs)

    assert inspect_package(merged(0), "x").range_cells == limits.MAX_RANGE_CELLS
    _refused(merged(1), "覆盖的单元格超过")


def test_comments_rules_and_styles_at_the_edge(seed_bytes: bytes) -> None:
    from tests.corpus import STYLES, many_comments

    inspect_package(with_comments(seed_bytes, many_comments(limits.MAX_COMMENTS)), "x")
    _refused(with_comments(seed_bytes, many_comments(limits.MAX_COMMENTS + 1)), "批注超过")

    def rules(n: int) -> bytes:
        return sub(seed_bytes, CALC, rb"</sheetData>", b"</sheetData>" + b"<dataValidations>" + b"".join(
            b'<dataValidation sqref="A%d" type="whole"/>' % (i + 1) for i in range(n)) + b"</dataValidations>")

    inspect_package(rules(limits.MAX_SHEET_RULES), "x")
    _refused(rules(limits.MAX_SHEET_RULES + 1), "合计超过")
    fonts = part(seed_bytes, STYLES).count(b"<font>") + part(seed_bytes, STYLES).count(b"<font ")

    def styles(n: int) -> bytes:  # n fonts in all
        extra = b"".join(b'<font><sz val="%d"/></font>' % (i % 400 + 1) for i in range(n - fonts))
        return sub(seed_bytes, STYLES, rb"</fonts>", extra + b"</fonts>")

    inspect_package(styles(limits.MAX_STYLE_RECORDS), "x")
    _refused(styles(limits.MAX_STYLE_RECORDS + 1), "单元格格式（font）超过")


def test_parts_at_the_edge(seed_bytes: bytes) -> None:
    parts = zipfile.ZipFile(io.BytesIO(seed_bytes))
    base = [(i.filename, parts.read(i)) for i in parts.infolist()]
    extra = limits.MAX_PARTS - len(base)
    inspect_package(write_parts(base + [(f"customXml/i{i}.xml", b"<a/>") for i in range(extra)]), "x")
    _refused(write_parts(base + [(f"customXml/i{i}.xml", b"<a/>") for i in range(extra + 1)]), "个部件")


def test_compression_ratio(seed_bytes: bytes) -> None:
    import random

    rng = random.Random(1)
    noise = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(2 * 1024 * 1024))
    inspect_package(replace(seed_bytes, {}, add=[("xl/media/noise.xml", b"<a>" + noise + b"</a>")]), "x")
    _refused(replace(seed_bytes, {}, add=[("xl/media/spaces.xml", b"<a>" + b" " * 2 * 1024 * 1024 + b"</a>")]),
             "压缩炸弹")


def test_tree_parts_elements_at_the_edge(seed_bytes: bytes) -> None:
    styles = part(seed_bytes, "xl/styles.xml")
    present = styles.count(b"<") - styles.count(b"</") - styles.count(b"<?")
    def styles_with(n: int) -> bytes:
        body = styles.replace(b"</styleSheet>", b"<extLst>" + b"".join(b"<ext uri=\"%x\"/>" % i for i in range(n))
                               + b"</extLst></styleSheet>")
        return replace(seed_bytes, {"xl/styles.xml": body})

    inspect_package(styles_with(limits.MAX_TREE_ELEMENTS - present - 1), "x")
    _refused(styles_with(limits.MAX_TREE_ELEMENTS - present), "XML 元素超过")


# --------------------------------------------------------------------------- edges of the quick check's shortcuts
# Each goes through both guards (see inspect_package above): the quick check's bounds must refuse, or hand over to
# the full inspection, exactly where the full inspection refuses.


def test_five_digit_references_at_the_row_limit(seed_bytes: bytes) -> None:
    """A reference of 5 digits leaves the quick check's "up to 9999" shortcut: exact maxima then decide."""
    n = limits.MAX_SHEET_ROWS

    def cell(row: int) -> bytes:  # a cell whose row record is far lower (the cell's own reference counts)
        return add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="B%d"><v>1</v></c></row>' % row)

    inspect_package(cell(n), "x")
    _refused(cell(n + 1), f"第 {n + 1} 行")
    merged = sub(seed_bytes, CALC, rb"<mergeCells[^>]*>", b'<mergeCells><mergeCell ref="A%d:B%d"/>' % (n - 1, n))
    inspect_package(merged, "x")
    _refused(sub(seed_bytes, CALC, rb"<mergeCells[^>]*>", b'<mergeCells><mergeCell ref="A%d:B%d"/>' % (n, n + 1)),
             "合并单元格用到")
    # a row number in a cell reference the full inspection does not read (row 0, a leading zero): the cell is
    # then placed by counting, one column right of the previous one
    for ref in (b"A0", b"A01"):
        _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="XFD200"/><c r="%s"/></row>' % ref), "最大列")
    # a row record whose r is not a number counts on from the previous row
    _refused(add_to_sheet_data(seed_bytes, CALC, b'<row r="%d"/><row r="A1"/>' % n), f"第 {n + 1} 行")


def test_two_letter_column_and_a_far_row_exceed_the_area(seed_bytes: bytes) -> None:
    """The area is the highest row (a row record suffices) times the highest column (a cell in another row)."""
    rows = limits.MAX_SHEET_AREA // 200  # column GR = 200

    def far(col: bytes) -> bytes:
        return add_to_sheet_data(seed_bytes, CALC, b'<row r="%d"/><row r="201"><c r="%s201"><v>1</v></c></row>'
                                 % (rows, col))

    inspect_package(far(b"GR"), "x")
    _refused(far(b"GS"), "已用区域达到")


@pytest.mark.parametrize(("edit", "match"), [
    (b'<row\nr="60000"/>', "行记录用到"),  # a line break inside a row's tag
    (b'<row r="200"><c\nr="XFE200"/></row>', "最大列"),  # … inside a cell's tag
    (b'<row r="200"><c\tr="A60000"/></row>', "单元格用到"),
    (b'<row r="200"><c s="0" r="A60000"/></row>', "单元格用到"),  # r not the first attribute
    (b'<row r = "60000"/>', "行记录用到"),  # spaces around "="
])
def test_tags_written_otherwise(seed_bytes: bytes, edit: bytes, match: str) -> None:
    _refused(add_to_sheet_data(seed_bytes, CALC, edit), match)


@pytest.mark.parametrize("merge", [
    b'<mergeCell\nref="A1:XFD40000"/>', b'<mergeCell ref ="A1:XFD40000"/>', b"<mergeCell ref='A1:XFD40000'/>",
    b'<mergeCell x="a>b"\tref="A1:XFD40000"/>', b'<mergeCell ref="$A$1:$XFD$40000"/>',
])
def test_ranges_written_otherwise(seed_bytes: bytes, merge: bytes) -> None:
    _refused(sub(seed_bytes, CALC, rb"<mergeCells[^>]*>", b"<mergeCells>" + merge), "已用区域达到")


def test_dimension_written_otherwise(seed_bytes: bytes) -> None:
    _refused(sub(seed_bytes, CALC, rb'<dimension ref="[^"]*"', b'<dimension ref = "A1:B60000"'), "dimension")


@pytest.mark.parametrize(("cols", "refused"), [
    (b'<col width="9" customWidth="1" min="1" max="16384"/>', False),  # openpyxl writes min and max last
    (b'<col width="9" customWidth="1" min="1" max="16385"/>', True),
    (b'<col min="1"\nmax="16385"/>', True),
    (b'<col min="1" max="\xef\xbc\x91\xef\xbc\x96\xef\xbc\x93\xef\xbc\x98\xef\xbc\x95"/>', True),  # "１６３８５"
    (b'<col min="1" max="16385x"/>', False),  # not a number: not read as a column
])
def test_column_widths_written_otherwise(seed_bytes: bytes, cols: bytes, refused: bool) -> None:
    data = sub(seed_bytes, CALC, rb"<cols>", b"<cols>" + cols)
    if refused:
        _refused(data, "最大列")
    else:
        inspect_package(data, "x")


def test_long_texts_in_parts_longer_than_the_limit(seed_bytes: bytes) -> None:
    """A text is bounded by the distance from its cell to the next one: split by a child element or a processing
    instruction (holding what looks like a cell), it still counts whole."""
    half = b"x" * (limits.MAX_CELL_TEXT // 2 + 1)

    def cell(inner: bytes) -> bytes:
        return add_to_sheet_data(seed_bytes, CALC, b'<row r="200"><c r="A200" t="inlineStr"><is>' + inner
                                 + b'</is></c><c r="B200"><v>1</v></c></row>')

    inspect_package(cell(b"<t>" + b"x" * (limits.MAX_CELL_TEXT - 10) + b"</t>"), "x")
    _refused(cell(b"<t>" + half + b'<?pi <c r="A1"?>' + half + b"</t>"), "超过 32767 个字符")
    _refused(cell(b"<t>" + half + b"</t><t>" + half + b"</t>"), "超过 32767 个字符")
    chinese = "".join(f"&#{0x4e00 + i % 100};" for i in range(5000)).encode()  # 5000 characters, 40,000 bytes
    inspect_package(cell(b"<t>" + chinese + b"</t>"), "x")
    third = b"1" * (limits.MAX_FORMULA_TEXT // 2 + 1)
    formula = b'<row r="200"><c r="A200"><f>' + third + b"<x/>" + third + b"</f><v>1</v></c></row>"
    _refused(add_to_sheet_data(seed_bytes, CALC, formula), "一个公式超过")
    many = b"".join(b'<row r="%d"><c r="A%d"><f>SUM(B1:B9)</f><v>1</v></c></row>' % (200 + i, 200 + i)
                    for i in range(3000))  # many short formulas in a long part
    inspect_package(add_to_sheet_data(seed_bytes, CALC, many), "x")


def test_malformed_part_same_message(seed_bytes: bytes) -> None:
    """The quick check parses a part in one call: the same error at the same line as the full inspection's."""
    body = part(seed_bytes, CALC)
    for cut in (len(body) // 3, len(body) - 5):
        _refused(replace(seed_bytes, {CALC: body[:cut]}), "不是有效的 XML")
    _refused(replace(seed_bytes, {CALC: body.replace(b"<sheetData>", b"<sheetData><x:c/>", 1)}), "不是有效的 XML")


def test_file_size_limit_through_both(seed_bytes: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", len(seed_bytes) - 1)
    _refused(seed_bytes, "文件大小")


def test_zip_stops_at_the_declared_size(seed_bytes: bytes) -> None:
    """Why declared sizes can be trusted: zipfile inflates a part only up to the size its directory declares
    and then fails on the checksum — a part lying about its size cannot inflate past the limits."""
    from tests.corpus import patch_central

    lying = patch_central(seed_bytes, ZP, file_size=100)
    zf = zipfile.ZipFile(io.BytesIO(lying))
    with zf.open(ZP) as fh:
        with pytest.raises(zipfile.BadZipFile):
            fh.read()
    _refused(lying, "文件已损坏")


def test_directory_and_unreadable(tmp_path: Path) -> None:
    d = tmp_path / "x.xlsx"
    d.mkdir()
    with pytest.raises(WorkbookError, match="文件夹"):
        open_workbook(d)


@pytest.mark.skipif(not Path("/dev/zero").exists() or not hasattr(__import__("os"), "mkfifo"), reason="POSIX")
@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_not_a_regular_file(tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A link to /dev/zero or a named pipe would be read forever: refused before reading (exit 2)."""
    import os

    for suffix, command in ((".xlsx", ["validate"]), (".json", ["fill"])):
        path = tmp_path / f"{kind}{suffix}"
        if kind == "device":
            path.symlink_to("/dev/zero")
        elif kind == "fifo":
            os.mkfifo(path)
        else:
            path.mkdir()
        argv = [*command, str(path)] + (["-o", str(tmp_path / "out.xlsx")] if suffix == ".json" else [])
        assert cli_main(argv) == 2
        err = capsys.readouterr().err
        assert "不是普通文件" in err or "文件夹" in err
        assert not (tmp_path / "out.xlsx").exists()


# --------------------------------------------------------------------------- linear merges = openpyxl's merges


def _fill_bytes(report: Report, tmp_path: Path, name: str) -> bytes:
    out = tmp_path / name
    fill(report, out)
    return normalise_zip(out.read_bytes())


def test_merge_range_writes_what_merge_cells_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import load_example

    report = load_example()
    report.basic.projects = report.basic.projects * 8  # 80 project rows: 240 merged pairs on 附件1-1
    ours = _fill_bytes(report, tmp_path, "ours.xlsx")
    monkeypatch.setattr(writer, "merge_range", lambda ws, coord, covered: ws.merge_cells(coord))
    theirs = _fill_bytes(report, tmp_path, "theirs.xlsx")
    assert ours == theirs


def test_merge_range_refuses_overlaps() -> None:
    from openpyxl import Workbook

    ws = Workbook().active
    covered: set[tuple[int, int]] = set()
    merge_range(ws, "A1:B2", covered)
    merge_range(ws, "C1:D1", covered)
    with pytest.raises(ValueError, match="overlaps"):
        merge_range(ws, "B2:C3", covered)
    assert {str(r) for r in ws.merged_cells.ranges} == {"A1:B2", "C1:D1"}


def _style_arrays(wb: openpyxl.Workbook) -> dict[tuple[str, int, int], tuple[int, ...]]:
    return {(ws.title, r, c): tuple(cell._style) if cell._style is not None else ()
            for ws in wb.worksheets for (r, c), cell in ws._cells.items()}


@pytest.mark.parametrize("edit", ["plain", "odd_borders"])
def test_fast_load_equals_openpyxl_load(seed_bytes: bytes, edit: str) -> None:
    """Loading with the memoised merged-range formatting gives the same cells, style ids and saved bytes."""
    data = seed_bytes
    if edit == "odd_borders":  # merges whose corners carry different borders, a merge over styled cells
        from openpyxl.styles import Border, Side

        wb = load_workbook(io.BytesIO(seed_bytes))
        ws = wb[BD_SHEET]
        ws["G20"].border = Border(right=Side(style="thick"), bottom=Side(style="double"))
        ws["A14"].border = Border(top=Side(style="dashed"))
        ws.merge_cells("A14:A16")
        ws.merge_cells("E18:G20")
        data = workbook_bytes(wb, deterministic=True)
    plain = load_workbook(io.BytesIO(data))
    with fast_merged_ranges():
        fast = load_workbook(io.BytesIO(data))
    assert _style_arrays(fast) == _style_arrays(plain)
    assert workbook_bytes(fast, deterministic=True) == workbook_bytes(plain, deterministic=True)
    assert MergedCellRange.format.__module__ == "openpyxl.worksheet.merge"  # restored after the block
