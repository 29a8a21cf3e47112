"""Messages say in Chinese what is wrong, and claim no more than is checked: data-file errors name the key
without pydantic's English; ``verify`` prints Chinese statuses (English codes only in ``--format json``) and
says that the fingerprint shows changes the file itself can reveal, not who sent it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import ENGLISH, run_cli

from perfeval.cli import main
from perfeval.forms.department.layout import BD_SHEET
from perfeval.xlsx.verify import STATUS_LABELS, VerifyStatus
from perfeval.xlsx.workflow import fill
from tests.conftest import load_example


@pytest.mark.parametrize(("text", "words"), [
    ('{"year": "明年"}', ("year", "应为整数", "明年")),
    ('{"year": 2023,', ("（整个文件）", "不是有效的 JSON")),
    ('{"year": 1999, "basic": {}, "self_eval": {}}', ("year", "应不小于 2000", "1999")),
    ('[]', ("应为对象",)),
])
def test_data_file_errors_are_chinese(text: str, words: tuple[str, ...], tmp_path: Path) -> None:
    data = tmp_path / "d.json"
    data.write_text(text, encoding="utf-8")
    r = run_cli("fill", str(data), "-o", str(tmp_path / "x.xlsx"))
    assert r.returncode == 2 and r.stderr.startswith("错误：数据文件 d.json 不符合报表结构")
    for word in words:
        assert word in r.stderr, r.stderr
    assert not ENGLISH.search(r.stderr), r.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_a_folder_or_non_utf8_data_file(tmp_path: Path) -> None:
    r = run_cli("fill", str(tmp_path), "-o", str(tmp_path / "x.xlsx"))
    assert r.returncode == 2 and "是一个文件夹" in r.stderr
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"year": "二〇二三"}'.encode("gbk"))
    r = run_cli("fill", str(gbk), "-o", str(tmp_path / "x.xlsx"))
    assert r.returncode == 2 and "不是 UTF-8 编码" in r.stderr


@pytest.fixture
def final(tmp_path: Path) -> Path:
    src = tmp_path / "ok.xlsx"
    fill(load_example("huaihua-2023-corrected.json"), src)
    out = tmp_path / "定稿.xlsx"
    assert main(["export", str(src), "-o", str(out)]) == 0
    return out


def test_verify_words_claim_only_what_is_checked(final: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["verify", str(final)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("核验结果：未发现改动（内容与文件中记录的指纹一致）\n")
    assert "不能证明文件是谁发出的" in out and "重新计算了指纹" in out and "核对上面的指纹" in out
    assert not any(s.value in out for s in VerifyStatus)  # no English status code in the text output
    assert "完好" not in out.splitlines()[0]  # the old word claimed more than the check shows

    wb = load_workbook(final)
    wb[BD_SHEET]["F14"].value = 60
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    assert main(["verify", str(changed)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"核验结果：{STATUS_LABELS[VerifyStatus.VALUES_CHANGED]}\n") and "F14" in out
    assert not any(s.value in out for s in VerifyStatus)
    assert main(["verify", str(changed), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "values_changed" and data["problems"] == ["values_changed"]
    assert data["status_label"] == STATUS_LABELS[VerifyStatus.VALUES_CHANGED]


def test_every_status_label_is_chinese() -> None:
    import re

    assert set(STATUS_LABELS) == set(VerifyStatus)
    for label in STATUS_LABELS.values():
        assert re.search(r"[\u4e00-\u9fff]", label) and not re.search(r"[A-Za-z]", label)


def test_export_message_does_not_overclaim(final: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = final.parent / "ok.xlsx"
    assert main(["export", str(src), "-o", str(final.parent / "again.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "文件指纹（SHA-256）" in out and "不能证明文件是谁发出的" in out


def test_a_cells_line_breaks_do_not_break_a_message_over_lines(tmp_path: Path) -> None:
    """A cell text quoted in a message (a text number "\\n2\\n" converted, an unreadable "2\\n3\\n") stays on its
    message's line: every line compute prints holds Chinese (found by the workbook-state property)."""
    src = tmp_path / "表.xlsx"
    assert run_cli("new", "-o", str(src)).returncode == 0
    wb = load_workbook(src)
    wb[BD_SHEET]["F9"], wb[BD_SHEET]["F11"] = "\n2\n", "2\n3\n"  # two amounts the unit types
    wb.save(src)
    run = run_cli("compute", str(src), "-o", str(tmp_path / "算.xlsx"))
    assert run.returncode == 0, run.stderr
    assert "2 3" in run.stderr and "→ 2" in run.stdout  # both messages were printed…
    for line in (run.stdout + run.stderr).splitlines():  # …each on one line
        assert not line.strip() or any("\u4e00" <= ch <= "\u9fff" for ch in line), line
