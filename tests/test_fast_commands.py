"""``validate`` without ``-o`` and ``verify`` read through the fast reader: openpyxl is not even imported, and the
findings and the recorded configuration are those of the openpyxl path (``validate -o``) on the same file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from perfeval import forms
from perfeval.profiles import config_for, load_profile
from perfeval.xlsx.export import export_file
from perfeval.xlsx.fast import open_fast
from perfeval.xlsx.workflow import fill, validate_file
from tests.conftest import EXAMPLES, ROOT, load_example

PROBE = ("import sys, io, contextlib\nfrom perfeval.cli import main\nout = io.StringIO()\n"
         "with contextlib.redirect_stdout(out):\n    rc = main(sys.argv[1:])\n"
         "print('RC', rc, 'OPENPYXL', sorted(m for m in sys.modules if m.split('.')[0] == 'openpyxl')[:1],"
         " file=sys.stderr)\n")


def _probe(*args: str | Path) -> str:
    r = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    return r.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("fast")
    seed, corrected, final = tmp / "seed.xlsx", tmp / "corrected.xlsx", tmp / "final.xlsx"
    fill(load_example(), seed)
    fill(load_example("huaihua-2023-corrected.json"), corrected)
    export_file(corrected, final)
    projects = tmp / "projects.xlsx"
    fill(forms.get("project").parse_json((EXAMPLES / "huaihua-2023-projects.json").read_text("utf-8")), projects)
    return {"seed": seed, "corrected": corrected, "final": final, "projects": projects}


def test_validate_and_verify_do_not_import_openpyxl(files: dict[str, Path]) -> None:
    assert "RC 1 OPENPYXL []" in _probe("validate", files["seed"])  # the seed has errors: exit 1
    assert "RC 0 OPENPYXL []" in _probe("validate", files["final"], "--format", "json")
    assert "RC 0 OPENPYXL []" in _probe("validate", files["projects"], "--with", files["corrected"])
    assert "RC 0 OPENPYXL []" in _probe("verify", files["final"])


def test_the_probe_sees_openpyxl_when_a_command_writes(files: dict[str, Path], tmp_path: Path) -> None:
    assert "RC 1 OPENPYXL ['openpyxl']" in _probe("validate", files["seed"], "-o", tmp_path / "flagged.xlsx")


def _same(fast: object, slow: object) -> None:
    assert fast.findings.to_json_dict() == slow.findings.to_json_dict()  # type: ignore[attr-defined]
    assert fast.config == slow.config  # type: ignore[attr-defined]
    assert fast.read.report == slow.read.report  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["seed", "corrected", "final", "projects"])
def test_fast_validate_equals_the_openpyxl_path(files: dict[str, Path], tmp_path: Path, name: str) -> None:
    src = files[name]
    assert open_fast(src) is not None  # the fast reader answers for these files
    _same(validate_file(src), validate_file(src, tmp_path / "flagged.xlsx"))


def test_fast_validate_uses_the_recorded_profile(tmp_path: Path) -> None:
    sichuan = config_for(load_profile("sichuan-2023"))
    src = tmp_path / "sichuan.xlsx"
    fill(load_example(), src, sichuan)
    fast = validate_file(src)
    assert fast.config == sichuan and fast.config.profile == "sichuan-2023"
    _same(fast, validate_file(src, tmp_path / "flagged.xlsx"))


def test_a_file_the_fast_reader_declines_goes_through_openpyxl(files: dict[str, Path], tmp_path: Path) -> None:
    src = tmp_path / "array.xlsx"
    wb = load_workbook(files["seed"])
    ws = wb.worksheets[0]
    ws["AZ200"] = ArrayFormula("AZ200", "=SUM(1,2)")  # far from the form; the fast reader does not do arrays
    wb.save(src)
    assert open_fast(src) is None
    _same(validate_file(src), validate_file(src, tmp_path / "flagged.xlsx"))
