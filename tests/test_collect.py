"""``perfeval collect`` on real files: a folder of submitted 定稿 of both forms (intact, tampered, protection
removed, re-saved by LibreOffice, a filled workbook that was never exported, a corrupt zip, a text file, an Excel
lock file, a resubmission), an expected-units list; the 汇总 read back with openpyxl, the 台账 through sqlite3,
re-runs, a killed run and a Ctrl-C.

Every expected value is derived by hand from the example JSONs (the comments say how), never copied from a run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from perfeval.forms.department.model import Report
from perfeval.xlsx.export import export_file
from perfeval.xlsx.summary import DUPLICATES_SHEET, FINDINGS_SHEET, MISSING_SHEET, SKIPPED_SHEET, SUMMARY_SHEET
from perfeval.xlsx.workflow import fill
from tests.conftest import EXAMPLES, ROOT
from tests.support.cli import run_cli, temp_files
from tests.support.libreoffice import available, convert, pdf_pages, require_libreoffice

ZP = "附件1-2 自评表"
BD = "附件1-1 基础数据表"

A = "怀化市城乡建设事务中心"  # the example's own unit: department form (twice) and project form
B = "怀化市住房保障服务中心"  # tampered after export
C = "怀化市市政设施维护中心"  # sheet protection removed
D = "怀化市园林绿化服务中心"  # re-saved by LibreOffice
E = "怀化市燃气事务中心"  # a filled workbook, never exported
MISSING = "鹤城区财政局"  # on the list, nothing submitted, no name close to it
NEAR = "怀化市燃气事务服务中心"  # on the list; E submitted under a shorter name: a near miss, never a match

#: the 6 projects of examples/huaihua-2023-projects.json and their 总分: 资金 10 (each project's 全年执行数 equals
#: its 全年预算数: 执行率 100 % → the full weight 10) + the indicator scores of the JSON, all at full weight except
#: the last project's 时效指标 row (7 of 10) → 100 × 5 and 97
PROJECTS = [("专项（业务）经费", 100), ("污水处理专项业务费", 100), ("城市基础设施配套征收经费", 100),
            ("污泥干化处置费", 100), ("污水截污干管费用", 100), ("鹤城一体化燃气规划专项经费", 97)]

#: department form, examples/huaihua-2023-corrected.json: 总分 = 资金 10 (781.06 / 781.06 = 100 %) + 20 + 10 + 10
#: + 10 (产出) + 13 + 15 (效益; the two “无” rows score nothing) + 10 (满意度) = 98.00 → 优 (≥ 90, mof-2020)
DEPT_SCORE = 98
#: the one finding of the corrected example: BD-009 (提示), 公用经费控制率 21.24 / 40.50 = 52.44 % < 60 %, in F24
BD009 = ("BD-009", "提示", BD, "F24")
#: “三公”经费 of the example: 预算 1.00, 决算 0.00 → 控制率 0 / 1 = 0
THREE_PUBLIC = (0, 0, 1)

EXPORTED_OLD = dt.datetime(2024, 3, 1, 9, 0)
EXPORTED_NEW = dt.datetime(2024, 3, 5, 10, 0)


def received(i: int) -> dt.datetime:
    """The modification time given to the i-th file (what 收到时间 shows, local wall clock)."""
    return dt.datetime(2024, 3, 10, 8, i)


def department(unit: str, **self_eval: Any) -> Report:
    data = json.loads((EXAMPLES / "huaihua-2023-corrected.json").read_text(encoding="utf-8"))
    data["basic"]["unit_name"] = data["self_eval"]["unit_name"] = unit
    data["self_eval"].update(self_eval)
    return Report.model_validate(data)


def exported(unit: str, folder: Path, name: str, when: dt.datetime = EXPORTED_OLD, **self_eval: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    src = folder / f"_src_{name}"
    fill(department(unit, **self_eval), src)
    out = export_file(src, folder / name, now=when).path
    src.unlink()
    return out


def set_received(path: Path, when: dt.datetime) -> None:
    stamp = when.timestamp()
    os.utime(path, (stamp, stamp))


# --------------------------------------------------------------------------- the submitted folder


@dataclass
class Inbox:
    folder: Path
    lo: bool  # the LibreOffice re-saved file is in the folder
    csv: Path
    xlsx: Path
    project_file: Path

    @property
    def workbooks(self) -> int:
        """.xlsx files that collect reads (the lock file is skipped unread)."""
        return 7 + self.lo


def build_inbox(base: Path) -> Inbox:
    folder = base / "收件"
    work = base / "work"
    work.mkdir(parents=True)
    files: dict[str, Path] = {}
    files["01"] = exported(A, folder, "01_城乡建设_部门_初稿.xlsx", EXPORTED_OLD)
    files["02"] = exported(A, folder, "02_城乡建设_部门.xlsx", EXPORTED_NEW)
    # the project form through the command line (no warnings: exported without --force)
    run = run_cli("fill", str(EXAMPLES / "huaihua-2023-projects.json"), "-o", str(work / "projects.xlsx"))
    assert run.returncode == 0, run.stderr
    run = run_cli("export", str(work / "projects.xlsx"), "-o", str(folder / "03_城乡建设_项目.xlsx"))
    assert run.returncode == 0, run.stderr
    files["03"] = folder / "03_城乡建设_项目.xlsx"
    # values changed after export: the 实际完成情况 text of the 年度总体目标 (附件1-2 F12) — a text, so the
    # receiver's 校验 finds the same as in an untouched file
    files["04"] = exported(B, folder, "04_住房保障_改动.xlsx")
    wb = load_workbook(files["04"])
    wb[ZP]["F12"] = "全年工作均已完成。"
    wb.save(files["04"])
    # protection removed from one sheet, nothing else changed
    files["05"] = exported(C, folder, "05_市政设施_解除保护.xlsx")
    wb = load_workbook(files["05"])
    wb[BD].protection.sheet = False
    wb.save(files["05"])
    lo = available()[0]
    if lo:
        original = exported(D, work, "06_园林绿化_另存.xlsx")
        resaved = convert(original, "xlsx", work / "lo")
        files["06"] = folder / "06_园林绿化_另存.xlsx"
        shutil.copyfile(resaved, files["06"])
    fill(department(E), folder / "07_燃气事务_未导出.xlsx")
    files["07"] = folder / "07_燃气事务_未导出.xlsx"
    whole = files["02"].read_bytes()
    files["08"] = folder / "08_损坏.xlsx"
    files["08"].write_bytes(whole[: len(whole) // 2])
    (folder / "说明.txt").write_text("各单位定稿", encoding="utf-8")
    (folder / "~$02_城乡建设_部门.xlsx").write_bytes(b"\x0cadministrator" + b"\x00" * 40)
    for key, path in files.items():
        set_received(path, received(int(key)))
    names = [A, B, C, MISSING, NEAR] + ([D] if lo else [])  # E submits under a name not on the list
    csv = base / "名单.csv"
    csv.write_text("序号,单位名称\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names, 1)), encoding="utf-8-sig")
    xlsx = base / "名单.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["2023年度绩效自评报送单位名单"])
    sheet.append(["序号", "单位名称"])
    for i, n in enumerate(names, 1):
        sheet.append([i, n])
    book.save(xlsx)
    return Inbox(folder, lo, csv, xlsx, files["03"])


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Inbox:
    return build_inbox(tmp_path_factory.mktemp("inbox"))


def text(value: Any) -> Any:
    return "" if value is None else value


def table(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    wb = load_workbook(path)
    rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))
    return [tuple(text(v) for v in row) for row in rows if any(v is not None for v in row)]


#: 汇总 columns asserted: 单位 年度 表种 项目名称 核验结果 总分 等级 执行率 “三公”控制率 决算 预算 错误 警告 提示
#: 强制导出理由 文件名 收到时间 (序号, 核验说明 and 指纹 are checked separately)
SUMMARY_COLS = (1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)


def dept_row(unit: str, status: str, name: str, i: int) -> tuple[Any, ...]:
    return (unit, 2023, "部门整体", "", status, DEPT_SCORE, "优", 1, *THREE_PUBLIC, 0, 0, 1, "", name, received(i))


def expected_summary(inbox: Inbox) -> list[tuple[Any, ...]]:
    rows = [dept_row(A, "完好", "02_城乡建设_部门.xlsx", 2)]  # 01 is superseded by 02 (exported later)
    rows += [(A, 2023, "项目支出", project, "完好", score, "优", 1, "", "", "", 0, 0, 0, "", "03_城乡建设_项目.xlsx",
              received(3)) for project, score in PROJECTS]
    rows.append(dept_row(B, "导出后被改动", "04_住房保障_改动.xlsx", 4))
    rows.append(dept_row(C, "保护被解除", "05_市政设施_解除保护.xlsx", 5))
    if inbox.lo:
        rows.append(dept_row(D, lo_status(inbox), "06_园林绿化_另存.xlsx", 6))
    rows.append(dept_row(E, "不是导出的定稿", "07_燃气事务_未导出.xlsx", 7))
    rows.append(("", "", "", "", "无法读取", "", "", "", "", "", "", 0, 0, 0, "", "08_损坏.xlsx", received(8)))
    return rows


def lo_status(inbox: Inbox) -> str:
    """A LibreOffice re-save keeps every value as exported (tests/test_export_libreoffice.py); LibreOffice 7.4
    does not keep the OOXML structure lock, which 核验 then reports as removed protection: the status follows
    from the re-saved file itself."""
    security = load_workbook(inbox.folder / "06_园林绿化_另存.xlsx").security
    return "完好" if security is not None and security.lockStructure else "保护被解除"


def collect(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("collect", *args, "--quiet", cwd=cwd)


def test_collect_folder_gives_exactly_the_expected_sheets(inbox: Inbox, tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    run = collect(str(inbox.folder), "-o", str(out), "--expect", str(inbox.csv), "--db", str(tmp_path / "台账.sqlite"))
    assert run.returncode == 1, run.stderr  # not every file intact and clean, a unit missing, files skipped
    assert run.stderr == ""
    assert temp_files(tmp_path) == []

    wb = load_workbook(out)
    rows = [tuple(text(v) for v in r) for r in wb[SUMMARY_SHEET].iter_rows(min_row=2, values_only=True)
            if any(v is not None for v in r)]
    assert [tuple(r[c] for c in SUMMARY_COLS) for r in rows] == expected_summary(inbox)
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    by_name = {r[18]: r for r in rows}
    assert by_name["02_城乡建设_部门.xlsx"][6] == ""  # an intact file needs no 核验说明
    assert "附件1-2 自评表" in by_name["04_住房保障_改动.xlsx"][6] and "F12" in by_name["04_住房保障_改动.xlsx"][6]
    assert "附件1-1 基础数据表" in by_name["05_市政设施_解除保护.xlsx"][6]
    assert by_name["07_燃气事务_未导出.xlsx"][7] == ""  # never exported: no fingerprint
    assert str(by_name["02_城乡建设_部门.xlsx"][7]).endswith("…")

    # 问题清单: the BD-009 of every department form read (the superseded 01 and the corrupt 08 have none listed)
    units = [A, B, C] + ([D] if inbox.lo else []) + [E]
    files = ["02_城乡建设_部门.xlsx", "04_住房保障_改动.xlsx", "05_市政设施_解除保护.xlsx"] \
        + (["06_园林绿化_另存.xlsx"] if inbox.lo else []) + ["07_燃气事务_未导出.xlsx"]
    findings = table(out, FINDINGS_SHEET)
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in findings] == \
        [(u, "", f, *BD009) for u, f in zip(units, files, strict=True)]
    assert all("52.44%" in r[7] for r in findings)

    # 未报送: the unit with no submission, the near miss named with the unit that did submit, and that unit
    # listed as submitted but not on the list (E's name is 90 % like NEAR's: “服务” is the difference)
    missing = table(out, MISSING_SHEET)
    assert [r[:3] for r in missing] == [(MISSING, "未报送", ""), (NEAR, "未报送", E), (E, "已报送，但不在名单中", NEAR)]
    assert missing[0][3] == "" and 0.8 <= missing[1][3] < 1 and missing[2][3] == missing[1][3]

    # 重复报送: the draft exported first is superseded by the later export of the same unit, year and form
    assert table(out, DUPLICATES_SHEET) == [
        (A, 2023, "部门整体", "", "01_城乡建设_部门_初稿.xlsx", "完好", EXPORTED_OLD, received(1),
         "02_城乡建设_部门.xlsx", EXPORTED_NEW, "保留导出时间较新的文件")]

    assert table(out, SKIPPED_SHEET) == [("~$02_城乡建设_部门.xlsx", "Excel/WPS 打开文件时生成的临时文件"),
                                         ("说明.txt", "不是 .xlsx 工作簿")]

    # the native charts of 统计 are in the package: 等级 and 执行率 bars, score against funds as a scatter
    with zipfile.ZipFile(out) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        kinds = [("barChart" in (x := z.read(n).decode())) * "bar" + ("scatterChart" in x) * "scatter" for n in charts]
    assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml", "xl/charts/chart3.xml"]
    assert kinds == ["bar", "bar", "scatter"]


def test_expect_list_xlsx_equals_csv(inbox: Inbox) -> None:
    runs = [collect(str(inbox.folder), "--expect", str(p), "--no-db", "--format", "json")
            for p in (inbox.csv, inbox.xlsx)]
    data = [json.loads(r.stdout) for r in runs]
    assert [r.returncode for r in runs] == [1, 1]
    assert data[0]["missing"] == data[1]["missing"]
    assert [(m["name"], m["near"]) for m in data[0]["missing"]] == [(MISSING, None), (NEAR, E)]
    assert data[0]["expected"] == data[1]["expected"] == [A, B, C, MISSING, NEAR] + ([D] if inbox.lo else [])


def test_exit_codes(inbox: Inbox, tmp_path: Path) -> None:
    unreadable = tmp_path / "unreadable"
    unreadable.mkdir()
    shutil.copyfile(inbox.folder / "08_损坏.xlsx", unreadable / "a.xlsx")
    (unreadable / "b.xlsx").write_bytes(b"PK\x03\x04 not really")
    run = collect(str(unreadable), "--no-db", "-o", str(tmp_path / "u.xlsx"))
    assert run.returncode == 2, run.stdout + run.stderr
    clean = tmp_path / "clean"
    clean.mkdir()
    for name in ("02_城乡建设_部门.xlsx", "03_城乡建设_项目.xlsx"):
        shutil.copyfile(inbox.folder / name, clean / name)
    run = collect(str(clean), "--no-db", "-o", str(tmp_path / "c.xlsx"), "--expect", str(write_list(tmp_path, [A])))
    assert run.returncode == 0, run.stdout + run.stderr


def write_list(folder: Path, names: list[str]) -> Path:
    path = folder / "list.csv"
    path.write_text("单位名称\n" + "\n".join(names) + "\n", encoding="utf-8")
    return path


def test_summary_opens_in_libreoffice(inbox: Inbox, tmp_path: Path) -> None:
    require_libreoffice()
    out = tmp_path / "汇总.xlsx"
    assert collect(str(inbox.folder), "-o", str(out), "--no-db").returncode == 1
    pages = pdf_pages(convert(out, "pdf", tmp_path / "pdf"))
    assert pages and all(w > h for w, h in pages)  # every sheet prints landscape


# --------------------------------------------------------------------------- the 台账: re-runs


def ledger_rows(db: Path) -> list[tuple[Any, ...]]:
    """The 台账 as content: every submission row without id and recorded_at, with its entries and findings."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(submissions)") if r[1] not in ("id", "recorded_at")]
        out = []
        for row in conn.execute(f"SELECT id, {', '.join(cols)} FROM submissions ORDER BY sha256, ruleset_version"):
            entries = conn.execute("SELECT * FROM entries WHERE submission_id = ? ORDER BY ordinal", (row[0],))
            findings = conn.execute("SELECT * FROM findings WHERE submission_id = ? ORDER BY ordinal", (row[0],))
            out.append((row[1:], [e[1:] for e in entries], [f[1:] for f in findings]))
        return out
    finally:
        conn.close()


def count_rows(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def consistent(db: Path) -> None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # every row has its entries (a read file has at least one table; an unreadable one none)
        orphans = conn.execute("SELECT COUNT(*) FROM submissions s WHERE s.status != 'unreadable' AND s.read_error "
                               "IS NULL AND NOT EXISTS (SELECT 1 FROM entries e WHERE e.submission_id = s.id)")
        assert orphans.fetchone()[0] == 0
    finally:
        conn.close()


def test_rerun_is_incremental_and_a_resubmission_is_a_new_version(inbox: Inbox, tmp_path: Path) -> None:
    folder = tmp_path / "收件"
    shutil.copytree(inbox.folder, folder)
    db, out = tmp_path / "台账.sqlite", tmp_path / "汇总.xlsx"
    first = collect(str(folder), "--db", str(db), "--format", "json")
    assert first.returncode == 1 and first.stdout, (first.returncode, first.stderr)  # not every file clean
    assert json.loads(first.stdout)["reused"] == 0
    rows = ledger_rows(db)
    assert len(rows) == inbox.workbooks  # one row per file content read (the corrupt file too)
    second = collect(str(folder), "--db", str(db), "--format", "json", "-o", str(out), "--overwrite")
    assert second.returncode == 1 and second.stdout, (second.returncode, second.stderr)
    assert json.loads(second.stdout)["reused"] == inbox.workbooks
    assert ledger_rows(db) == rows  # nothing read, nothing written

    # B sends a corrected file (exported again, untouched) under the same name
    target = folder / "04_住房保障_改动.xlsx"
    fresh = exported(B, tmp_path / "new", "b.xlsx", EXPORTED_NEW)
    shutil.copyfile(fresh, target)
    third = collect(str(folder), "--db", str(db), "--format", "json", "-o", str(out), "--overwrite")
    assert json.loads(third.stdout)["reused"] == inbox.workbooks - 1
    assert count_rows(db) == inbox.workbooks + 1
    summary = {r[18]: r for r in table(out, SUMMARY_SHEET)}
    assert summary["04_住房保障_改动.xlsx"][5] == "完好"  # the latest version counts

    history = run_cli("history", B, "--db", str(db), "--format", "json")
    assert history.returncode == 0, history.stderr
    versions = json.loads(history.stdout)["versions"]
    assert [(v["version"], v["status"], v["exported_at"]) for v in versions] == \
        [(1, "values_changed", EXPORTED_OLD.isoformat()), (2, "intact", EXPORTED_NEW.isoformat())]
    shown = run_cli("history", B, "--db", str(db))
    assert shown.returncode == 0 and "共 2 个版本" in shown.stdout


# --------------------------------------------------------------------------- kill and Ctrl-C


DISTINCT = 20
COPIES = 4  # files per distinct content: 80 files, a new 台账 row every 4 files


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """80 submitted files: 20 distinct exports (20 units, scores varied) each under 4 names (a unit sending the same
    file again is realistic; duplicates by content are recorded once)."""
    base = tmp_path_factory.mktemp("batch")
    folder = base / "files"
    sources = []
    for i in range(DISTINCT):
        sources.append(exported(f"怀化市第{i + 1}事务中心", base / "src", f"{i}.xlsx",
                                EXPORTED_OLD + dt.timedelta(hours=i)))
    for n in range(DISTINCT * COPIES):
        target = folder / f"f{n:03d}.xlsx"
        folder.mkdir(exist_ok=True)
        shutil.copyfile(sources[n // COPIES], target)
        set_received(target, received(0) + dt.timedelta(seconds=n))
    return folder


def start(folder: Path, db: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "perfeval.cli", "collect", str(folder), "--db", str(db),
                             "--jobs", "2", "--quiet", *extra], cwd=db.parent, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def interrupt_midway(folder: Path, db: Path, sig: int, *extra: str, attempts: int = 5) -> subprocess.Popen[bytes]:
    """Run collect and send ``sig`` to its process group once the 台账 has some rows but not all; retried (a
    fresh 台账) when the run finishes before that could happen."""
    for _ in range(attempts):
        for p in db.parent.glob(db.name + "*"):
            p.unlink()
        proc = start(folder, db, *extra)
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if 0 < count_rows(db) < DISTINCT:
                os.killpg(proc.pid, sig)
                proc.wait(60)
                return proc
            time.sleep(0.005)
        proc.wait(60)
    pytest.fail("collect always finished before it could be interrupted")


@pytest.fixture(scope="module")
def reference(batch: Path, tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    db = tmp_path_factory.mktemp("reference") / "台账.sqlite"
    proc = start(batch, db, "--format", "json")
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr.decode()
    assert len(json.loads(stdout)["submissions"]) == DISTINCT  # the copies are 重复报送 of their unit
    rows = ledger_rows(db)
    assert len(rows) == DISTINCT
    return rows


def test_killed_run_then_rerun_gives_the_same_ledger(batch: Path, reference: list[tuple[Any, ...]],
                                                     tmp_path: Path) -> None:
    db = tmp_path / "台账.sqlite"
    proc = interrupt_midway(batch, db, signal.SIGKILL, "--format", "json")
    assert proc.returncode == -signal.SIGKILL
    partial = count_rows(db)
    assert 0 < partial < DISTINCT
    consistent(db)
    again = start(batch, db, "--format", "json")
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr.decode()
    assert json.loads(stdout)["reused"] >= partial
    assert ledger_rows(db) == reference


def test_ctrl_c_exits_130_without_a_partial_summary(batch: Path, reference: list[tuple[Any, ...]],
                                                    tmp_path: Path) -> None:
    db, out = tmp_path / "台账.sqlite", tmp_path / "汇总.xlsx"
    proc = interrupt_midway(batch, db, signal.SIGINT, "-o", str(out))
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr.decode()
    assert "已中断" in stderr.decode() and "Traceback" not in stderr.decode()
    assert not out.exists() and temp_files(tmp_path) == []
    consistent(db)
    again = start(batch, db, "-o", str(out))
    _, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr.decode()
    assert ledger_rows(db) == reference


def test_near_miss_is_never_a_unit_that_is_on_the_list() -> None:
    """A unit on the list that submitted answers for its own name: it is not offered as the near miss of another
    listed name (both 怀化市燃气事务中心 and 怀化市燃气事务服务中心 listed, only the first submitted)."""
    from perfeval.receiving import FileStatus, MissingUnit, Submission, missing_units

    sub = Submission(path="/x.xlsx", name="x.xlsx", sha256="0", size=1, received_at="", status=FileStatus.INTACT,
                     status_message="", unit=E, form="department", year=2023)
    assert missing_units([E, NEAR], [sub]) == [MissingUnit(NEAR)]
    assert [m.near for m in missing_units([NEAR], [sub])] == [E]


def _sub(i: int, unit: str, exported_at: str | None, status: str = "intact") -> Any:
    from perfeval.receiving import FileStatus, Submission, SubmittedFinding

    return Submission(path=f"/in/{i}.xlsx", name=f"{i}.xlsx", sha256=str(i), size=i, received_at=f"2024-03-0{i}",
                      status=FileStatus(status), status_message="", unit=unit, form="department", year=2023,
                      exported_at=exported_at,
                      findings=[SubmittedFinding(code="BD-001", severity="warning", sheet="附件1-1", cell=f"C{i}",
                                                 message=f"第 {i} 份")])


def test_spool_gives_back_what_was_stored_in_order() -> None:
    """A large batch is kept on disk (perfeval.receiving.Spool): reading, indexing, slicing, iterating and a view
    in another order give back submissions equal to those stored."""
    from perfeval.receiving import Spool

    subs = [_sub(i, f"单位{i}", f"2024-03-0{i}T10:00:00+08:00") for i in range(1, 6)]
    spool = Spool()
    assert [spool.append(s) for s in subs] == [0, 1, 2, 3, 4]
    everything = spool.view()
    assert len(spool) == len(everything) == 5 and list(everything) == subs and spool.read(2) == subs[2]
    assert everything[3] == subs[3] and everything[-1] == subs[4] and everything[1:4] == subs[1:4]
    view = spool.view([4, 0, 2])
    assert len(view) == 3 and list(view) == [subs[4], subs[0], subs[2]] and view[1] == subs[0]
    assert view[0:2] == [subs[4], subs[0]] and list(view) == list(view)  # a view can be read again
    spool.close()


def test_dedupe_on_briefs_keeps_the_newest_intact_one() -> None:
    """重复报送 decided on the Brief of each submission (what collect keeps in memory): same unit/year/form, the
    intact one counts before a changed one, then the later export; input order kept for the kept ones."""
    from perfeval.receiving import Brief, dedupe

    subs = [_sub(1, "甲", "2024-03-01T10:00:00+08:00"), _sub(2, "乙", "2024-03-01T10:00:00+08:00"),
            _sub(3, "甲", "2024-03-05T10:00:00+08:00", status="values_changed"),
            _sub(4, "甲", "2024-03-02T10:00:00+08:00")]
    briefs = [Brief.of(s, i) for i, s in enumerate(subs)]
    kept, pairs = dedupe(briefs)
    assert [b.index for b in kept] == [1, 3]  # 乙; 甲's latest intact export (4), not the later changed one (3)
    assert sorted((old.index, new.index) for old, new in pairs) == [(0, 3), (2, 3)]
    kept_subs, sub_pairs = dedupe(subs)  # the same decision on the submissions themselves
    assert kept_subs == [subs[1], subs[3]] and len(sub_pairs) == 2


def test_collect_of_nothing_that_exists_writes_nothing(tmp_path: Path) -> None:
    """Inputs that do not exist: exit 2 with the reason, and neither a 汇总 nor a 台账 appears."""
    run = run_cli("collect", str(tmp_path / "没有这个文件夹"), "--quiet", cwd=tmp_path)
    assert run.returncode == 2 and "找不到要汇总的文件或文件夹" in run.stderr, (run.returncode, run.stderr)
    assert list(tmp_path.iterdir()) == []
