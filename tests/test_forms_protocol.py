"""The form protocol is the only way into a form pack.

1. Over the package's imports: the core, the file layer, the command line, the add-in and the UDFs import no form
   pack module (``perfeval.forms.<pack>…``); only ``perfeval.forms`` (the registry) and ``perfeval.forms.base``.
2. A throw-away pack, registered at run time, goes through new → fill → validate → compute → export → verify
   (and the same commands on the command line) without any change to the file layer, the CLI, flagging, export,
   verify or the add-in.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from pydantic import BaseModel, ConfigDict, Field

from perfeval import forms
from perfeval.compute import Computed
from perfeval.config import Config
from perfeval.findings import Finding, Severity
from perfeval.forms.base import BlankOptions, FormPack
from perfeval.layout import Builder, Layout, SheetLayout, VType
from perfeval.model import Amount, Stated
from perfeval.numbers import money_sum
from perfeval.reading import (
    BookGrid,
    CellReader,
    ReadResult,
    StructureError,
    check_labels,
    find_sheet,
    read_cells,
    sheet_issues,
)
from perfeval.rules.base import Context, Rule, rule
from perfeval.sheets import CALC_SHEET

ROOT = Path(__file__).resolve().parent.parent
PACKS = {name: module for name, module in forms.BUILTIN.items()}

# --------------------------------------------------------------------------- 1. imports


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _outside_packs() -> list[Path]:
    files = [*sorted((ROOT / "perfeval").rglob("*.py")), *sorted((ROOT / "addin").rglob("*.py")),
             *sorted((ROOT / "udfs").rglob("*.py"))]
    return [f for f in files if "forms" not in f.relative_to(ROOT).parts[:2]]


def test_the_file_layer_cli_and_addin_reach_packs_only_through_the_protocol() -> None:
    files = _outside_packs()
    assert any(f.name == "cli.py" for f in files) and any(f.parent.name == "xlsx" for f in files)
    assert any(f.parent.name == "addin" for f in files)
    offenders = {}
    for path in files:
        bad = sorted({name for name in _imports(path)
                      if any(name == module or name.startswith(module + ".") for module in PACKS.values())})
        if bad:
            offenders[str(path.relative_to(ROOT))] = bad
    assert offenders == {}


def test_the_import_check_can_fail(tmp_path: Path) -> None:
    """The walker sees both import forms, also inside functions."""
    sample = tmp_path / "x.py"
    sample.write_text("def f():\n    from perfeval.forms.department.layout import BD_SHEET\n"
                      "import perfeval.forms.project.model\n", encoding="utf-8")
    names = set(_imports(sample))
    assert "perfeval.forms.department.layout" in names and "perfeval.forms.project.model" in names


def test_packs_import_each_other_only_through_the_registry() -> None:
    """A pack may use the core and the registry, never another pack's modules."""
    for name, module in PACKS.items():
        folder = ROOT / Path(*module.split("."))
        for path in folder.rglob("*.py"):
            others = [m for n, m in PACKS.items() if n != name]
            bad = [i for i in _imports(path) if any(i == m or i.startswith(m + ".") for m in others)]
            assert bad == [], f"{path.relative_to(ROOT)} imports {bad}"


# --------------------------------------------------------------------------- 2. a throw-away pack

SHEET = "小表"
TITLE = "测试用小表"


class MiniReport(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
    year: int = Field(ge=2000, le=2100)
    unit_name: str = ""
    a: Amount = None
    b: Amount = None
    total_stated: Stated = None


class MiniShape(BaseModel):
    model_config = ConfigDict(frozen=True)
    year: int


def _mini_layout(year: int) -> Layout:
    b = Builder(SHEET)
    b.label("A1", TITLE, merge="A1:B1", bold=True)
    b.label("A2", f"{year}年度")
    b.label("A3", "单位")
    b.input("B3", "unit_name", VType.TEXT, "单位")
    b.label("A4", "甲")
    b.input("B4", "a", VType.AMOUNT, "甲")
    b.label("A5", "乙")
    b.input("B5", "b", VType.AMOUNT, "乙")
    b.label("A6", "合计")
    b.derived("B6", "total_stated", "total_stated", "=SUM(B4:B5)", VType.AMOUNT, "合计")
    sheet = SheetLayout(name=SHEET, columns={"A": 12.0, "B": 12.0}, last_row=6, last_col="B", table_top=3,
                        table_bottom=6, cells=tuple(b.cells))
    return Layout(form="mini", year=year, shape=MiniShape(year=year), sheets={SHEET: sheet}, official=(SHEET,))


@rule("MN-001", Severity.ERROR, "合计 = 甲 + 乙", "合计填报为{stated}，按 甲 + 乙 计算应为{computed}")
def mini_total(r: Rule, ctx: Context) -> Iterator[Finding]:
    stated, computed = ctx.value("total_stated"), ctx.calc("total_stated")
    if stated is not None and not ctx.agrees(stated, computed, VType.AMOUNT):
        yield ctx.finding(r, "total_stated", stated=ctx.show(stated, "total_stated"),
                          computed=ctx.show(computed, "total_stated"))


class MiniForm(FormPack):
    name = "mini"
    title = "测试用小表"
    description = "只在测试中注册的最小表格"
    model = MiniReport
    template_filename = "测试小表_{year}.xlsx"
    template_id = "perfeval-test-mini"
    new_suffix = "_{year}年测试小表.xlsx"
    final_suffix = "_{year}年测试小表_定稿.xlsx"

    def blank(self, options: BlankOptions, config: Config) -> BaseModel:
        return MiniReport(year=options.year, unit_name=options.unit_name)

    def layout_for(self, report: Any) -> Layout:
        return _mini_layout(report.year)

    def unit_name(self, report: Any) -> str:
        return str(report.unit_name)

    def compute(self, report: Any, config: Config) -> Computed:
        return {"total_stated": money_sum([report.a, report.b])}

    def rules(self) -> tuple[Rule, ...]:
        return (mini_total,)

    def recognise(self, book: BookGrid) -> bool:
        return find_sheet(book, SHEET, TITLE) is not None

    def read(self, book: BookGrid) -> ReadResult:
        name = find_sheet(book, SHEET, TITLE)
        if name is None:
            raise StructureError("找不到测试小表")
        text = str(book[name].value("A2") or "")
        year = int(text[:4]) if text[:4].isdigit() else 2000
        layout = _mini_layout(year)
        names = {SHEET: name, CALC_SHEET: CALC_SHEET}
        issues = check_labels(book, layout, names)
        reader = CellReader(book, layout, names)
        reader.issues.extend(sheet_issues(book, layout, names))
        reader.issues.extend(issues)
        report = MiniReport(year=year)
        read_cells(reader, report)
        return ReadResult(report=report, layout=layout, issues=reader.issues, typed_over=reader.typed_over,
                          sheet_names=names, text_numbers=reader.text_numbers)


@pytest.fixture
def mini() -> Iterator[MiniForm]:
    pack = forms.register(MiniForm())
    try:
        yield pack
    finally:
        forms.unregister(pack.name)


def test_a_new_pack_goes_through_every_command(mini: MiniForm, tmp_path: Path) -> None:
    from perfeval.xlsx.export import export_file
    from perfeval.xlsx.reader import read_workbook
    from perfeval.xlsx.verify import VerifyStatus, verify_file
    from perfeval.xlsx.workflow import compute_file, fill, validate_file, write_new

    blank = write_new(tmp_path / "blank.xlsx", year=2024, unit_name="某单位", form="mini")
    assert load_workbook(blank).sheetnames[0] == SHEET
    assert read_workbook(blank).report == MiniReport(year=2024, unit_name="某单位")

    # 1 + 2 = 3, typed as 4: the pack's own rule fires at its cell
    report = MiniReport(year=2024, unit_name="某单位", a=Decimal("1.00"), b=Decimal("2.00"),
                        total_stated=Decimal("4.00"))
    filled = tmp_path / "filled.xlsx"
    fill(report, filled)
    result = validate_file(filled, tmp_path / "flagged.xlsx")
    assert [(f.code, f.sheet, f.cell) for f in result.findings.findings] == [("MN-001", SHEET, "B6")]
    flagged = load_workbook(tmp_path / "flagged.xlsx")
    assert "校验结果" in flagged.sheetnames and flagged[SHEET]["B6"].comment is not None

    # 计算 puts the formula back; then nothing is left and the 定稿 verifies
    computed = tmp_path / "computed.xlsx"
    assert compute_file(filled, computed).restored == [f"{SHEET}!B6"]
    assert validate_file(computed).findings.findings == []
    final = export_file(computed, tmp_path / "final.xlsx")
    wb = load_workbook(final.path)
    assert wb[SHEET]["B6"].value == 3 and wb[SHEET].protection.sheet
    check = verify_file(final.path)
    assert check.status == VerifyStatus.INTACT
    assert json.loads(check.metadata["sheets"]) == [SHEET] and check.metadata["form"] == "mini"


def test_a_new_pack_on_the_command_line(mini: MiniForm, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from perfeval.cli import main

    data = tmp_path / "mini.json"
    data.write_text(json.dumps({"year": 2024, "unit_name": "某单位", "a": "1", "b": "2", "total_stated": "3"},
                               ensure_ascii=False), encoding="utf-8")
    assert main(["forms"]) == 0
    assert "mini" in capsys.readouterr().out
    assert main(["new", "--form", "mini", "--unit", "某单位", "--year", "2024", "-o", str(tmp_path / "n.xlsx")]) == 0
    assert main(["fill", str(data), "--form", "mini", "-o", str(tmp_path / "f.xlsx")]) == 0
    assert main(["validate", str(tmp_path / "f.xlsx")]) == 0
    assert main(["export", str(tmp_path / "f.xlsx")]) == 0
    final = tmp_path / "某单位_2024年测试小表_定稿.xlsx"
    assert main(["verify", str(final)]) == 0
    assert main(["rules", "--form", "mini"]) == 0
    assert "MN-001" in capsys.readouterr().out


def test_an_unknown_form_is_a_chinese_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    from perfeval.cli import main

    assert main(["new", "--form", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "没有名为“nosuch”的表格类型" in err and "department" in err
