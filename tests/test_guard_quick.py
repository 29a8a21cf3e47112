"""The quick package check (:func:`perfeval.xlsx.guard.check_package`, what every reader calls) refuses exactly what
the full inspection (:func:`~perfeval.xlsx.guard.inspect_package`) refuses, with the same message, and is in fact
taken (not the full scan) for ordinary workbooks: on every file of the hostile corpus, on the limit edges of
``tests/test_limits.py`` (which run through both, see its ``_both_guards`` fixture) and on crafted files that
try to slip a large range past the regular expressions."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import perfeval.xlsx.guard as guard
from perfeval.xlsx.guard import PackageRefused, check_package, inspect_package
from tests.corpus import SPECS, build_corpus


def _outcome(fn: object, data: bytes) -> str:
    try:
        fn(data, "x.xlsx")  # type: ignore[operator]
    except PackageRefused as exc:
        return f"refused: {exc}"
    return "accepted"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("corpus_guard")
    build_corpus(directory)
    return directory


@pytest.mark.parametrize("name", [name for name, _ in SPECS if not name.endswith(".json")])
def test_quick_check_equals_full_inspection_on_the_corpus(corpus: Path, name: str) -> None:
    path = corpus / name
    if not path.is_file():
        pytest.skip(f"{name} is not a file in the corpus (a folder, a link…)")
    data = path.read_bytes()
    assert _outcome(check_package, data) == _outcome(inspect_package, data)


def _fallbacks(data: bytes, monkeypatch: pytest.MonkeyPatch) -> int:
    calls: list[int] = []
    full = guard.inspect_package
    monkeypatch.setattr(guard, "inspect_package", lambda d, n: calls.append(1) or full(d, n))
    check_package(data, "x.xlsx")
    monkeypatch.setattr(guard, "inspect_package", full)
    return len(calls)


def _workbook(tmp_path: Path) -> bytes:
    from perfeval.cli import main

    out = tmp_path / "t.xlsx"
    assert main(["fill", str(Path(__file__).parent.parent / "examples" / "huaihua-2023-corrected.json"),
                 "-o", str(out)]) == 0
    return out.read_bytes()


def _with_sheet(data: bytes, edit: object) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = edit(body)  # type: ignore[operator]
            dst.writestr(info, body)
    return buf.getvalue()


def test_an_ordinary_workbook_takes_the_quick_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _fallbacks(_workbook(tmp_path), monkeypatch) == 0


@pytest.mark.parametrize("edit", [
    # a huge merge behind a ">" inside an attribute value and a line break before the attribute
    lambda b: b.replace(b"</mergeCells>", b'<mergeCell x="a>b"\nref="A1:XFD40000"/></mergeCells>'),
    # single-quoted attribute
    lambda b: b.replace(b"</mergeCells>", b"<mergeCell ref='A1:XFD40000'/></mergeCells>"),
    # a cell placed by counting (no r), far to the right
    lambda b: b.replace(b"</sheetData>", b'<row r="40000">' + b"<c><v>1</v></c>" * 3 + b"</row></sheetData>"),
    # a prefixed cell element
    lambda b: b.replace(b"</sheetData>", b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
                        b' r="60000"><x:c r="A60000"><x:v>1</x:v></x:c></x:row></sheetData>'),
    # a tab between attributes of a row
    lambda b: b.replace(b"</sheetData>", b'<row\tr="60000"><c\tr="A60000"><v>1</v></c></row></sheetData>'),
])
def test_what_the_patterns_cannot_see_goes_to_the_full_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         edit: object) -> None:
    data = _with_sheet(_workbook(tmp_path), edit)
    assert _fallbacks_or_refused(data, monkeypatch)
    assert _outcome(check_package, data) == _outcome(inspect_package, data)


def _fallbacks_or_refused(data: bytes, monkeypatch: pytest.MonkeyPatch) -> bool:
    try:
        return _fallbacks(data, monkeypatch) > 0
    except PackageRefused:
        return True


@pytest.mark.parametrize("ref", [b"A1:XFD40000", b"A1:Z60000", b"A1:A50001"])
def test_a_large_range_within_the_patterns_is_refused_as_the_full_scan_does(tmp_path: Path, ref: bytes) -> None:
    data = _with_sheet(_workbook(tmp_path), lambda b: b.replace(b"</mergeCells>",
                                                                 b'<mergeCell ref="' + ref + b'"/></mergeCells>'))
    full = _outcome(inspect_package, data)
    assert full.startswith("refused")
    assert _outcome(check_package, data) == full


def test_check_package_returns_the_parts_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _workbook(tmp_path)
    parts = check_package(data, "x.xlsx")
    assert parts is not None
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        xml = {i.filename for i in zf.infolist() if i.filename.endswith((".xml", ".rels"))}
        assert set(parts) == xml and all(parts[name] == zf.read(name) for name in xml)
    # when the full inspection decides (here: a cell placed by counting), nothing is returned
    counted = _with_sheet(data, lambda b: b.replace(b"</sheetData>", b'<row r="300"><c><v>1</v></c></row></sheetData>'))
    assert check_package(counted, "x.xlsx") is None


@pytest.mark.parametrize("edit", [
    # a text with line breaks (common) and a text longer than 4 KB in a part longer than the formula limit
    lambda b: b.replace(b"</sheetData>", b'<row r="300"><c r="A300" t="inlineStr"><is><t>a\nb\r\nc\td</t></is></c>'
                        b'<c r="B300" t="inlineStr"><is><t>' + b"x" * 20_000 + b"</t></is></c></row></sheetData>"),
    # cells beyond Z and rows beyond 9999: exact maxima, still without the full scan
    lambda b: b.replace(b"</sheetData>", b'<row r="12000"><c r="AB12000"><v>1</v></c></row></sheetData>'),
    # column widths up to XFD, min and max last; a data validation; formulas
    lambda b: b.replace(b"<cols>", b'<cols><col width="9" customWidth="1" min="30" max="16384"/>')
    .replace(b"</sheetData>", b'<row r="300"><c r="A300"><f>SUM(B1:B9)</f><v>1</v></c></row></sheetData>'
             b'<dataValidations count="1"><dataValidation sqref="A1:A1048576" type="whole"/></dataValidations>', 1),
])
def test_unusual_but_bounded_sheets_keep_the_quick_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         edit: object) -> None:
    data = _with_sheet(_workbook(tmp_path), edit)
    assert _outcome(check_package, data) == _outcome(inspect_package, data) == "accepted"
    assert _fallbacks(data, monkeypatch) == 0
