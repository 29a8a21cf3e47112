"""Unit names become safe file names (no separators, traversal, Windows-forbidden or reserved names, bounded
length), and control characters in user text are dropped instead of crashing ``new`` and ``fill``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from support.cli import run_cli

from perfeval.filenames import MAX_BYTES, MAX_CHARS, RESERVED, safe_filename, safe_stem
from perfeval.xlsx.export import default_output_name
from perfeval.xlsx.reader import read_workbook
from tests.conftest import load_example

SUFFIX = "_2025年部门整体支出绩效自评表_定稿.xlsx"


@pytest.mark.parametrize(("unit", "stem"), [
    ("怀化市城乡建设事务中心", "怀化市城乡建设事务中心"),
    ("../x", "_x"),
    ("..", "未命名单位"),
    ("A:B*", "A_B_"),
    ('市/局:"科"*?<>|', "市_局__科______"),
    ("CON", "_CON"),
    ("nul", "_nul"),
    ("Com1", "_Com1"),
    ("LPT9.txt", "_LPT9.txt"),
    ("COM10", "COM10"),  # not reserved
    ("CONSOLE", "CONSOLE"),
    ("a\x01b\x7f\x9fc", "abc"),
    ("单位\u202egpj.exe", "单位gpj.exe"),  # a right-to-left override would disguise the extension
    ("单位 . . ", "单位"),
    ("  单位\t名称\u3000 ", "单位 名称"),
    ("", "未命名单位"),
    ("\x00\x01", "未命名单位"),
])
def test_safe_stem(unit: str, stem: str) -> None:
    assert safe_stem(unit) == stem


def test_long_names_are_capped_in_characters_and_bytes() -> None:
    assert len(safe_stem("a" * 500)) == MAX_CHARS
    cjk = safe_stem("很" * 500)
    assert len(cjk.encode("utf-8")) <= MAX_BYTES and cjk == "很" * (MAX_BYTES // 3)
    assert len(default_output_name("很" * 500, 2025).encode("utf-8")) <= 255


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.text(max_size=300))
def test_any_unit_gives_one_safe_file_name_in_the_folder(tmp_path_factory: pytest.TempPathFactory,
                                                         unit: str) -> None:
    name = safe_filename(unit, SUFFIX)
    stem = name.removesuffix(SUFFIX)
    assert Path(name).name == name and name not in (".", "..")
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f\x7f]', name)
    assert not stem.startswith((".", " ")) and not stem.endswith((".", " "))
    assert stem.split(".")[0].strip().upper() not in RESERVED
    assert len(name.encode("utf-8")) <= 255
    folder = tmp_path_factory.mktemp("names")
    (folder / name).write_bytes(b"x")  # the file system takes it, and it lands in the folder
    assert [p.name for p in folder.iterdir()] == [name]


def test_export_default_name_uses_the_same_rules() -> None:
    assert default_output_name("../CON", 2024) == "_CON_2024年部门整体支出绩效自评表_定稿.xlsx"
    assert default_output_name("a\x01b", 2024) == "ab_2024年部门整体支出绩效自评表_定稿.xlsx"


def test_new_with_control_characters_in_the_unit_name(tmp_path: Path) -> None:
    r = run_cli("new", "--unit", "a\x01b\x1fc", "--projects", "1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "abc_2025年部门整体支出绩效自评表.xlsx"
    assert read_workbook(out).report.basic.unit_name == "abc"


def test_fill_with_control_characters_in_the_data(tmp_path: Path) -> None:
    report = load_example()
    basic = report.basic.model_copy(update={"unit_name": "某\x01单位", "filler": "张\x02三"})
    data = tmp_path / "d.json"
    data.write_text(report.model_copy(update={"basic": basic}).model_dump_json(), encoding="utf-8")
    out = tmp_path / "x.xlsx"
    r = run_cli("fill", str(data), "-o", str(out))
    assert r.returncode == 0, r.stderr
    back = read_workbook(out).report.basic
    assert (back.unit_name, back.filler) == ("某单位", "张三")
    texts = [c.value for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", t) for t in texts)
