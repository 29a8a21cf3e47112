"""The command line: each command on real files, exit codes, Chinese messages, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from perfeval.cli import main
from perfeval.forms.department.model import Report
from tests.conftest import EXAMPLES, ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "perfeval.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_schema_validates_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    schemas = {}
    for form in ("department", "project"):
        assert main(["schema", "--form", form]) == 0
        schemas[form] = json.loads(capsys.readouterr().out)
    for example in EXAMPLES.glob("*.json"):
        data = json.loads(example.read_text(encoding="utf-8"))
        jsonschema.validate(data, schemas["project" if "projects" in data else "department"])
    schema = schemas["department"]
    broken = json.loads((EXAMPLES / "huaihua-2023.json").read_text(encoding="utf-8"))
    broken["basic"]["staff_actual"] = "四十"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_demo_builds_template_and_seed_workbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "huaihua-2023.xlsx").exists()
    assert list(tmp_path.glob("部门整体支出绩效自评表_*年度模板.xlsx"))
    line = next(x for x in out.splitlines() if "控制率" in x and "F5" in x)
    assert "95.00%" in line and "105.26%" in line and "不一致" in line
    assert "等级" in out and "优" in out


def test_fill_extract_compute_new(tmp_path: Path) -> None:
    data = EXAMPLES / "huaihua-2023.json"
    x = tmp_path / "x.xlsx"
    assert main(["fill", str(data), "-o", str(x)]) == 0
    back = tmp_path / "back.json"
    assert main(["extract", str(x), "-o", str(back)]) == 0
    assert Report.model_validate_json(back.read_text(encoding="utf-8")) == Report.model_validate_json(
        data.read_text(encoding="utf-8"))
    y = tmp_path / "y.xlsx"
    assert main(["compute", str(x), "-o", str(y)]) == 0
    assert main(["extract", str(y), "-o", str(back)]) == 2  # exists: never replaced without --overwrite
    assert main(["extract", str(y), "-o", str(back), "--overwrite"]) == 0
    assert Report.model_validate_json(back.read_text(encoding="utf-8")).basic.staff_control_rate_stated is None
    new = tmp_path / "n.xlsx"
    assert main(["new", "-o", str(new), "--unit", "测试单位", "--year", "2024", "--projects", "3"]) == 0
    assert main(["new", "-o", str(new)]) == 2  # refuses to overwrite


def test_bad_inputs_give_chinese_messages_and_exit_2(tmp_path: Path) -> None:
    r = run("extract", str(tmp_path / "missing.xlsx"))
    assert r.returncode == 2 and "找不到文件" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.json"
    bad.write_text('{"year": "明年"}', encoding="utf-8")
    r = run("fill", str(bad), "-o", str(tmp_path / "o.xlsx"))
    assert r.returncode == 2 and "不符合报表结构" in r.stderr and "Traceback" not in r.stderr
    x = tmp_path / "x.xlsx"
    assert run("fill", str(EXAMPLES / "huaihua-2023.json"), "-o", str(x)).returncode == 0
    r = run("compute", str(x), "-o", str(x))
    assert r.returncode == 2 and "不能与输入文件相同" in r.stderr
    r = run()
    assert r.returncode == 2 and r.stdout.startswith("用法：perfeval")


def test_help_lists_commands() -> None:
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("demo", "new", "fill", "extract", "compute", "schema"):
        assert cmd in r.stdout


def test_output_piped_into_head_is_not_an_error() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "perfeval.cli", "schema"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader went away before the output came, like `| head -0`
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=60) == 0 and "内部错误" not in err
