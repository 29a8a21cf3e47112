"""Reading the expected-units list (perfeval.xlsx.expected): real .xlsx and .csv files in the encodings Excel
writes, headers found or not, and Chinese errors for anything else."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from perfeval.xlsx.expected import read_expected
from perfeval.xlsx.io import WorkbookError

UNITS = ["怀化市财政局", "怀化市教育局", "鹤城区（本级）人民医院"]


def _xlsx(path: Path, rows: list[list[object]], *, hidden_first: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if hidden_first:
        ws.title = "说明"
        ws.append(["不是名单"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("名单")
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_xlsx_header_column_under_a_title(tmp_path: Path) -> None:
    rows: list[list[object]] = [["2023年度部门整体支出绩效自评报送单位名单"], [],
                                ["序号", "预算单位名称", "联系人"]]
    rows += [[i, name, "张三"] for i, name in enumerate(UNITS, start=1)]
    rows.insert(5, [None, None, None])  # a blank row inside the list
    assert read_expected(_xlsx(tmp_path / "名单.xlsx", rows)) == UNITS


@pytest.mark.parametrize("header", ["单位", "单位名称", "预算单位", "预算单位名称", "单位 名称", "单位名称 "])
def test_xlsx_each_header(tmp_path: Path, header: str) -> None:
    rows: list[list[object]] = [["备注", header]] + [["", u] for u in UNITS]
    assert read_expected(_xlsx(tmp_path / "名单.xlsx", rows)) == UNITS


def test_xlsx_without_header_first_text_column(tmp_path: Path) -> None:
    """No known header: the first column holding text (a 序号 column of numbers is passed over); a first line
    that is a title (…名单) is skipped, a first unit name is not."""
    rows: list[list[object]] = [[i, u] for i, u in enumerate(UNITS, start=1)]
    assert read_expected(_xlsx(tmp_path / "a.xlsx", rows)) == UNITS
    titled: list[list[object]] = [["报送单位名单"]] + [[u] for u in UNITS]
    assert read_expected(_xlsx(tmp_path / "b.xlsx", titled)) == UNITS


def test_xlsx_first_visible_sheet_and_spaces(tmp_path: Path) -> None:
    rows: list[list[object]] = [["单位名称"], ["  怀化市财政局 "], ["怀化市  教育局"]]
    assert read_expected(_xlsx(tmp_path / "c.xlsx", rows, hidden_first=True)) == ["怀化市财政局", "怀化市 教育局"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16"])
def test_csv_encodings(tmp_path: Path, encoding: str) -> None:
    text = "序号,单位名称,备注\r\n" + "".join(f"{i},{u},\r\n" for i, u in enumerate(UNITS, start=1)) + ",,\r\n"
    path = tmp_path / "名单.csv"
    path.write_bytes(text.encode(encoding))
    assert read_expected(path) == UNITS


def test_csv_gbk_one_column_without_header(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_bytes("\r\n".join(UNITS).encode("gbk"))
    assert read_expected(path) == UNITS


def test_csv_semicolon_and_tab(tmp_path: Path) -> None:
    for sep in (";", "\t"):
        path = tmp_path / "名单.csv"
        path.write_text("单位" + sep + "人数\n" + "".join(f"{u}{sep}3\n" for u in UNITS), encoding="utf-8")
        assert read_expected(path) == UNITS


@pytest.mark.parametrize("name, content, words", [
    ("名单.docx", b"PK\x03\x04", "不支持的单位名单文件类型"),
    ("名单.xls", b"\xd0\xcf\x11\xe0", "另存为 .xlsx"),
    ("名单.xlsx", b"not a zip", "无法读取"),
    ("名单.csv", b"\x81\x30\xff\xfe\x00\x80" * 3 + b"\xff", "文字编码"),
    ("空.csv", b"\r\n,,\r\n", "没有找到单位名称"),
])
def test_bad_lists_give_chinese_errors(tmp_path: Path, name: str, content: bytes, words: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(WorkbookError) as info:
        read_expected(path)
    assert words in str(info.value)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="找不到单位名单文件"):
        read_expected(tmp_path / "没有.csv")
    with pytest.raises(WorkbookError, match="找不到单位名单文件"):
        read_expected(tmp_path / "没有.xlsx")
    folder = tmp_path / "名单.csv"
    folder.mkdir()
    with pytest.raises(WorkbookError, match="文件夹"):
        read_expected(folder)
