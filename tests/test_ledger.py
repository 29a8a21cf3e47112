"""The 收件台账 (perfeval.ledger): exact round trips, versions, idempotency, incremental reading per rule set and
configuration, the migration machinery, refusal of what it must not touch, a real SIGKILL in the middle of a
batch, readers beside a writer (WAL), and ``perfeval history``."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.cli import ENGLISH, ROOT, run_cli

from perfeval import ledger as ledger_module
from perfeval.ledger import Ledger, LedgerError, schema_version
from perfeval.receiving import FileStatus, ScoreEntry, Submission, SubmittedFinding

RULES, CONFIG = "2026.1", "cfg-a"
UNIT = "怀化市城乡建设事务中心"


def sub(sha: str, *, unit: str | None = UNIT, year: int | None = 2023, form: str | None = "department",
        path: str | None = None, status: FileStatus = FileStatus.INTACT, score: str = "91.50",
        projects: tuple[str, ...] = (), findings: int = 1) -> Submission:
    """A submission as ``collect`` would fill it (the values are arbitrary but varied)."""
    if projects:
        entries = [ScoreEntry(project=p, score=Decimal(score) - i, grade="优", execution_rate=Decimal("0.9512"),
                              budget=Decimal("120.00"), actual=Decimal("114.14"), sheet=f"项目{i + 1}")
                   for i, p in enumerate(projects)]
    else:
        entries = [ScoreEntry(score=Decimal(score), grade="优", execution_rate=Decimal("1.0000"),
                              budget=Decimal("1520.30"), actual=Decimal("1520.30"), sheet="附件1-2")]
    found = [SubmittedFinding(code=f"R-{i:03d}", severity=("error", "warning", "info")[i % 3], sheet="附件1-1",
                              cell=f"C{5 + i}", message=f"第{i}项：填报值与计算值不符", note="已说明" if i % 2 else "")
             for i in range(findings)]
    return Submission(path=path or f"/收件/{sha}.xlsx", name=f"{sha}.xlsx", sha256=sha, size=1000 + len(sha),
                      received_at="2024-03-01T10:20:30+08:00", status=status, status_message="完好",
                      form=form, form_title="部门整体支出绩效自评表" if form == "department" else "项目支出绩效自评表",
                      unit=unit, year=year, fingerprint="ab" * 32, exported_at="2024-02-28T09:00:00+08:00",
                      profile="mof-2020", entries=entries, control_rate=Decimal("0.8571"),
                      three_public_actual=Decimal("12.00"), three_public_budget=Decimal("14.00"), findings=found)


def exact(s: Submission) -> dict[str, Any]:
    """A submission's exact content (Decimals as written: 1.50 is not 1.5)."""
    return s.to_json_dict()


def dump(path: Path) -> list[Any]:
    """The 台账's content in recording order: every column but id and recorded_at, with entries and findings."""
    conn = sqlite3.connect(path)
    try:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(submissions)") if r[1] not in ("id", "recorded_at")]
        out = []
        for row in conn.execute(f"SELECT id, {', '.join(cols)} FROM submissions ORDER BY id").fetchall():
            entries = conn.execute("SELECT * FROM entries WHERE submission_id = ? ORDER BY ordinal", (row[0],))
            findings = conn.execute("SELECT * FROM findings WHERE submission_id = ? ORDER BY ordinal", (row[0],))
            out.append((dict(zip(cols, row[1:], strict=True)), [r[1:] for r in entries], [r[1:] for r in findings]))
        return out
    finally:
        conn.close()


# --------------------------------------------------------------------------- round trip


def test_round_trip_keeps_decimals_and_order_exactly(tmp_path: Path) -> None:
    s = sub("a1", form="project", projects=("道路维修", "（2）桥梁检测", "绿化"), findings=7)
    s.entries[1] = ScoreEntry(project="（2）桥梁检测", score=Decimal("80.10"), execution_rate=Decimal("1E-4"),
                              budget=Decimal("0.00"), actual=None)
    s.control_rate = Decimal("-0.000")
    with Ledger.open(tmp_path / "t.sqlite") as led:
        assert led.record(s, RULES, CONFIG) == 1
        back = led.known("a1", RULES, CONFIG)
    assert back is not None and exact(back) == exact(s)
    assert [e.project for e in back.entries] == ["道路维修", "（2）桥梁检测", "绿化"]
    assert [f.code for f in back.findings] == [f"R-{i:03d}" for i in range(7)]
    assert str(back.entries[1].score) == "80.10" and str(back.control_rate) == "-0.000"
    # stored as TEXT, never REAL: a receiver's query sees the digits as written
    conn = sqlite3.connect(tmp_path / "t.sqlite")
    assert conn.execute("SELECT typeof(score), score FROM entries WHERE ordinal = 1").fetchone() == ("text", "80.10")
    assert conn.execute("SELECT typeof(control_rate) FROM submissions").fetchone() == ("text",)
    conn.close()


def test_a_path_with_undecodable_bytes_reads_back_exactly(tmp_path: Path) -> None:
    path = os.fsdecode(b"/\xca\xd5\xbc\xfe/\xb5\xa5\xce\xbb.xlsx")  # a GBK name on a UTF-8 file system
    s = sub("a2", path=path)
    with Ledger.open(tmp_path / "t.sqlite") as led:
        led.record(s, RULES, CONFIG)
        back = led.known("a2", RULES, CONFIG)
    assert back is not None and back.path == path


def test_unreadable_files_and_missing_values(tmp_path: Path) -> None:
    bad = Submission(path="/收件/坏.xlsx", name="坏.xlsx", sha256="bad", size=3, received_at="2024-01-01T00:00:00",
                     status=FileStatus.UNREADABLE, status_message="不是 xlsx 工作簿")
    with Ledger.open(tmp_path / "t.sqlite") as led:
        assert led.record(bad, RULES, CONFIG) == 1
        assert led.record(sub("other-bad", unit=None, status=FileStatus.UNREADABLE), RULES, CONFIG) == 1
        back = led.known("bad", RULES, CONFIG)
        assert back is not None and exact(back) == exact(bad)
        assert led.latest(None) is None


texts = st.text(max_size=20)
decimals = st.none() | st.decimals(allow_nan=False, allow_infinity=False)
entries = st.builds(ScoreEntry, project=texts, score=decimals, grade=st.none() | texts, execution_rate=decimals,
                    budget=decimals, actual=decimals, sheet=texts)
findings = st.builds(SubmittedFinding, code=texts, severity=st.sampled_from(("error", "warning", "info")),
                     sheet=texts, cell=texts, message=texts, note=texts, project=texts)
submissions = st.builds(
    Submission, path=texts, name=texts, sha256=st.text(min_size=1, max_size=64), size=st.integers(0, 2**40),
    received_at=texts, status=st.sampled_from(list(FileStatus)), status_message=texts,
    form=st.none() | st.sampled_from(("department", "project")), form_title=st.none() | texts,
    unit=st.none() | texts, year=st.none() | st.integers(2000, 2100), fingerprint=st.none() | texts,
    exported_at=st.none() | texts, forced_reason=st.none() | texts, profile=st.none() | texts,
    entries=st.lists(entries, max_size=4), control_rate=decimals, three_public_actual=decimals,
    three_public_budget=decimals, findings=st.lists(findings, max_size=5), read_error=st.none() | texts)


@settings(max_examples=40, deadline=None)
@given(st.lists(submissions, min_size=1, max_size=3))
def test_any_submission_round_trips_exactly(subs: list[Submission]) -> None:
    with tempfile.TemporaryDirectory() as folder, Ledger.open(Path(folder) / "t.sqlite") as led:
        for s in subs:
            led.record(s, RULES, CONFIG)
        for s in subs:
            back = led.known(s.sha256, RULES, CONFIG)
            first = next(x for x in subs if x.sha256 == s.sha256)  # the same hash twice: the first is kept
            assert back is not None and exact(back) == exact(first)
            if s.key is not None:
                latest = led.latest(s.key)
                assert latest is not None and latest.key == s.key


# --------------------------------------------------------------------------- versions, idempotency, known()


def test_versions_follow_the_order_of_recording_per_key(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "t.sqlite") as led:
        assert led.record(sub("v1"), RULES, CONFIG) == 1
        assert led.record(sub("p1", form="project", projects=("道路维修",)), RULES, CONFIG) == 1  # its own key
        assert led.record(sub("v2", score="88.00"), RULES, CONFIG) == 2  # changed resubmission
        assert led.record(sub("y1", year=2024), RULES, CONFIG) == 1  # another year
        assert led.record(sub("v1", path="/另一个文件夹/副本.xlsx"), RULES, CONFIG) == 1  # same content again
        # the unit written differently (spaces, full width) is the same unit
        assert led.record(sub("v3", unit=" 怀化市 城乡建设事务中心 "), RULES, CONFIG) == 3
        latest = led.latest(sub("v1").key)
        assert latest is not None and latest.sha256 == "v3"
        assert led.known("v1", RULES, CONFIG).path == "/收件/v1.xlsx"  # type: ignore[union-attr]  # first path
        assert led.count() == 5
        hist = led.history("怀化市城乡建设事务中心")
        assert [(h.version, h.submission.sha256) for h in hist] == [(1, "v1"), (1, "p1"), (2, "v2"), (1, "y1"),
                                                                     (3, "v3")]
        assert [h.submission.sha256 for h in led.history(UNIT, year=2023, form="department")] == ["v1", "v2", "v3"]
        assert [h.submission.sha256 for h in led.history(UNIT, form="project")] == ["p1"]
        assert led.history(UNIT, year=2022) == []


def test_record_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    batch = [sub("i1"), sub("i2", score="70.00"), sub("j1", unit="鹤城区财政局", findings=4)]
    with Ledger.open(db) as led:
        first = led.record_all(batch, RULES, CONFIG)
    before = dump(db)
    with Ledger.open(db) as led:
        assert led.record_all(batch, RULES, CONFIG) == first == [1, 2, 1]
    assert dump(db) == before


def test_known_depends_on_rules_and_config(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "t.sqlite") as led:
        assert led.known("k1", RULES, CONFIG) is None
        led.record(sub("k1"), RULES, CONFIG)
        assert led.known("k1", RULES, CONFIG) is not None
        assert led.known("k1", "2027.1", CONFIG) is None  # new rules: read again
        assert led.known("k1", RULES, "cfg-b") is None  # another configuration: read again
        reread = sub("k1", findings=3)
        assert led.record(reread, "2027.1", CONFIG) == 1  # a new row, the same version (the same content)
        assert led.count() == 2
        back = led.known("k1", "2027.1", CONFIG)
        assert back is not None and len(back.findings) == 3
        hist = led.history(UNIT)
        assert len(hist) == 1 and hist[0].ruleset_version == "2027.1" and len(hist[0].submission.findings) == 3
        latest = led.latest(reread.key, ruleset_version=RULES)
        assert latest is not None and len(latest.findings) == 1


def test_units_like_names_close_units(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "t.sqlite") as led:
        led.record(sub("u1"), RULES, CONFIG)
        led.record(sub("u2", unit="鹤城区财政局"), RULES, CONFIG)
        assert led.history("怀化市城乡建设事务所") == []
        assert led.units_like("怀化市城乡建设事务所") == [UNIT]
        assert led.units_like("城乡建设") == [UNIT]  # part of the name
        assert led.units_like("完全无关的名字") == []
        assert led.units() == sorted([UNIT, "鹤城区财政局"])


# --------------------------------------------------------------------------- schema: migrations, refusals


def test_schema_v1_is_documented_column_by_column() -> None:
    doc = (ROOT / "docs" / "ledger-schema.md").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder, Ledger.open(Path(folder) / "t.sqlite"):
        conn = sqlite3.connect(Path(folder) / "t.sqlite")
        for table in ("submissions", "entries", "findings", "overview"):
            assert f"`{table}`" in doc, table
            for column in (r[1] for r in conn.execute(f"PRAGMA table_info({table})")):
                assert f"`{column}`" in doc, (table, column)
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() == 1
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()


def test_a_new_migration_is_applied_once_in_its_own_transaction(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "t.sqlite"
    with Ledger.open(db) as led:
        led.record(sub("m1"), RULES, CONFIG)
    calls: list[int] = []

    def broken_v2(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE submissions ADD COLUMN reviewer TEXT")
        raise RuntimeError("migration failed halfway")

    monkeypatch.setattr(ledger_module, "MIGRATIONS", [*ledger_module.MIGRATIONS, broken_v2])
    with pytest.raises(RuntimeError):
        Ledger.open(db)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # rolled back: still v1, no half column
    assert "reviewer" not in [r[1] for r in conn.execute("PRAGMA table_info(submissions)")]
    conn.close()

    def v2(conn: sqlite3.Connection) -> None:
        calls.append(1)
        conn.execute("ALTER TABLE submissions ADD COLUMN reviewer TEXT")
        conn.execute("UPDATE submissions SET reviewer = '待定'")

    monkeypatch.setattr(ledger_module, "MIGRATIONS", [ledger_module.MIGRATIONS[0], v2])
    assert schema_version() == 2
    with Ledger.open(db) as led:
        assert led.known("m1", RULES, CONFIG) is not None  # the data survives the migration
        led.record(sub("m2"), RULES, CONFIG)
    with Ledger.open(db):
        pass
    assert calls == [1]  # applied once, not at every opening
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert conn.execute("SELECT reviewer FROM submissions ORDER BY id").fetchall() == [("待定",), (None,)]
    conn.close()
    fresh = tmp_path / "fresh.sqlite"  # a new database goes through every migration in order
    with Ledger.open(fresh):
        pass
    assert calls == [1, 1]


def test_a_database_from_a_newer_perfeval_is_refused_untouched(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    with Ledger.open(db) as led:
        led.record(sub("n1"), RULES, CONFIG)
    conn = sqlite3.connect(db)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.close()
    before = db.read_bytes()
    with pytest.raises(LedgerError) as info:
        Ledger.open(db)
    assert "较新版本" in str(info.value) and "升级" in str(info.value)
    assert db.read_bytes() == before


@pytest.mark.parametrize("content", [b"not a database at all\n" * 10, b"PK\x03\x04" + bytes(range(256)) * 8])
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "汇总.xlsx"
    db.write_bytes(content)
    with pytest.raises(LedgerError) as info:
        Ledger.open(db)
    assert "不是台账数据库" in str(info.value) and not ENGLISH.search(str(info.value))
    assert db.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


def test_unusable_paths(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="文件夹"):
        Ledger.open(tmp_path)
    with pytest.raises(LedgerError, match="找不到台账文件"):
        Ledger.open(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()
    with pytest.raises(LedgerError, match="无法打开"):
        Ledger.open(tmp_path / "no-such-folder" / "t.sqlite")


# --------------------------------------------------------------------------- SIGKILL mid-batch, readers (WAL)

CHILD = textwrap.dedent("""
    import json, sys, time
    from pathlib import Path
    from perfeval.ledger import Ledger
    from perfeval.receiving import Submission

    db, batch, stall_at, marker = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    subs = [Submission.from_json_dict(d) for d in json.loads(batch.read_text(encoding="utf-8"))]
    with Ledger.open(db) as led:
        for i, s in enumerate(subs):
            if i == stall_at:  # stop inside this file's transaction, after its row and entries are written
                def stall(sql, marker=marker):
                    if sql.startswith("INSERT INTO findings"):
                        marker.write_text("inside", encoding="utf-8")
                        time.sleep(60)
                led._conn.set_trace_callback(stall)
            led.record(s, "2026.1", "cfg-a")
            led._conn.set_trace_callback(None)
""")


def kill_batch() -> list[Submission]:
    """A batch like a real one: resubmissions, the same file twice, unreadable files, both forms, many findings."""
    out = []
    for i in range(240):
        unit = f"第{i % 37}单位"
        if i % 23 == 5:
            out.append(sub(f"bad{i}", unit=None, form=None, status=FileStatus.UNREADABLE, findings=0))
        elif i % 17 == 3 and i > 20:
            out.append(sub(f"f{i - 20}", unit=f"第{(i - 20) % 37}单位", path=f"/副本/{i}.xlsx",
                           findings=(i - 20) % 40))  # the same file (hash) as an earlier one
        elif i % 5 == 0:
            out.append(sub(f"f{i}", unit=unit, form="project", projects=(f"项目{i % 3}", "道路"),
                           score=f"{60 + i % 40}.{i % 100:02d}", findings=i % 40))
        else:
            out.append(sub(f"f{i}", unit=unit, year=2022 + i % 2, score=f"{50 + i % 50}.{i % 10}0",
                           findings=i % 40))
    return out


def run_child(db: Path, batch: Path, stall_at: int, marker: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(batch), str(stall_at), str(marker)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE)


def wait_for(condition: Any, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.01)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_mid_batch_then_rerun_gives_the_same_ledger_as_one_run(tmp_path: Path) -> None:
    subs = kill_batch()
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([s.to_json_dict() for s in subs], ensure_ascii=False), encoding="utf-8")
    db, marker = tmp_path / "台账.sqlite", tmp_path / "inside"

    # 1. killed inside the transaction of file 60 (its row and entries written, its findings being written)
    child = run_child(db, batch, 60, marker)
    wait_for(lambda: marker.exists() or child.poll() is not None, "the child to reach file 60")
    assert child.poll() is None, child.stderr.read() if child.stderr else ""
    with Ledger.open(db, timeout=0) as reader:  # a reader beside the open write transaction is not blocked
        assert reader.count() == len({s.sha256 for s in subs[:60]})  # the file in flight is not visible
        assert reader.known(subs[60].sha256, RULES, CONFIG) is None
        assert reader.known(subs[59].sha256, RULES, CONFIG) is not None
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert integrity(db) == "ok"
    with Ledger.open(db) as led:
        assert led.count() == len({s.sha256 for s in subs[:60]}) and led.known(subs[60].sha256, RULES, CONFIG) is None

    # 2. run again, killed at whatever point it has reached once more rows are in; readers poll meanwhile
    marker.unlink()
    child = run_child(db, batch, -1, marker)
    with Ledger.open(db, timeout=0) as reader:
        wait_for(lambda: reader.count() >= 90 or child.poll() is not None, "rows from the second run")
        seen = reader.count()
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert integrity(db) == "ok"
    with Ledger.open(db) as led:
        assert led.count() >= seen

    # 3. run again to the end
    child = run_child(db, batch, -1, marker)
    assert child.wait(timeout=120) == 0, child.stderr.read() if child.stderr else ""
    assert integrity(db) == "ok"

    fresh = tmp_path / "一次完成.sqlite"
    with Ledger.open(fresh) as led:
        versions = led.record_all(subs, RULES, CONFIG)
    assert max(versions) >= 2  # the batch holds resubmissions
    assert len(dump(fresh)) == len({s.sha256 for s in subs})
    assert dump(db) == dump(fresh)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()


def test_a_reader_is_not_blocked_by_an_open_write_transaction(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite"
    with Ledger.open(db) as led:
        led.record(sub("w1"), RULES, CONFIG)
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM findings")
    try:
        with Ledger.open(db, timeout=0) as reader:
            back = reader.known("w1", RULES, CONFIG)
            assert back is not None and len(back.findings) == 1  # the committed state
            assert [h.submission.sha256 for h in reader.history(UNIT)] == ["w1"]
            with pytest.raises(LedgerError, match="占用"):  # a second writer waits (here: not at all) and says so
                reader.record(sub("w2"), RULES, CONFIG)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# --------------------------------------------------------------------------- perfeval history


@pytest.fixture
def history_db(tmp_path: Path) -> Path:
    db = tmp_path / "台账.sqlite"
    with Ledger.open(db) as led:
        led.record(sub("h1", score="88.00", findings=3), RULES, CONFIG)
        led.record(sub("h2", score="91.50", findings=0, status=FileStatus.VALUES_CHANGED), RULES, CONFIG)
        led.record(sub("h3", year=2024, score="77.25", findings=2), RULES, CONFIG)
        led.record(sub("o1", unit="鹤城区财政局"), RULES, CONFIG)
    return db


def test_history_table(history_db: Path) -> None:
    r = run_cli("history", "怀化市城乡建设事务中心", cwd=history_db.parent)  # the default --db: ./台账.sqlite
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "共 3 个版本" in lines[0]
    assert lines[1].split() == ["版本", "年度", "表种", "收到时间", "文件", "核验结果", "总分", "错误", "警告", "提示",
                                "指纹"]
    rows = [line.split() for line in lines[2:]]
    assert [row[0] for row in rows] == ["1", "2", "1"]
    assert rows[0][1:3] == ["2023", "部门整体支出绩效自评表"] and rows[0][3:5] == ["2024-03-01", "10:20"]
    assert rows[0][5:] == ["h1.xlsx", "完好", "88.00", "1", "1", "1", "abababababab"]  # findings: error, warning, info
    assert rows[1][5:] == ["h2.xlsx", "导出后被改动", "91.50", "0", "0", "0", "abababababab"]
    assert rows[2][1] == "2024" and rows[2][7:] == ["77.25", "1", "1", "0", "abababababab"]
    r = run_cli("history", "怀化市城乡建设事务中心", "--year", "2024", "--db", str(history_db))
    assert r.returncode == 0 and "共 1 个版本" in r.stdout and "h3.xlsx" in r.stdout and "h1.xlsx" not in r.stdout
    r = run_cli("history", "怀化市城乡建设事务中心", "--form", "project", "--db", str(history_db))
    assert r.returncode == 0 and "没有符合条件" in r.stdout


def test_history_json(history_db: Path) -> None:
    r = run_cli("history", "怀化市城乡建设事务中心", "--db", str(history_db), "--year", "2023", "--format", "json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [(v["version"], v["sha256"], v["status"]) for v in data["versions"]] == [
        (1, "h1", "intact"), (2, "h2", "values_changed")]
    assert data["versions"][0]["entries"][0]["score"] == "88.00"
    assert data["versions"][0]["counts"] == {"error": 1, "warning": 1, "info": 1}
    assert data["versions"][0]["ruleset_version"] == RULES


def test_history_errors_are_chinese_and_exit_2(history_db: Path, tmp_path: Path) -> None:
    r = run_cli("history", "怀化市城乡建设事务所", "--db", str(history_db))
    assert r.returncode == 2 and r.stdout == ""
    assert "没有单位“怀化市城乡建设事务所”" in r.stderr and UNIT in r.stderr
    r = run_cli("history", "完全无关", "--db", str(history_db), "--format", "json")
    assert r.returncode == 2 and r.stdout == "" and "没有名称相近的单位" in r.stderr
    empty = tmp_path / "空"
    empty.mkdir()
    r = run_cli("history", UNIT, cwd=empty)
    assert r.returncode == 2 and "找不到台账文件" in r.stderr and not list(empty.iterdir())
    (empty / "x.sqlite").write_text("不是数据库", encoding="utf-8")
    r = run_cli("history", UNIT, "--db", str(empty / "x.sqlite"))
    assert r.returncode == 2 and "不是台账数据库" in r.stderr
    for r in (run_cli("history", UNIT, "--db", str(history_db), "--year", "19"),
              run_cli("history", UNIT, "--db", str(history_db), "--form", "nope")):
        assert r.returncode == 2 and "错误" in r.stderr


def test_the_ledger_is_engine_level() -> None:
    code = "import sys, perfeval.ledger\nprint([m for m in ('openpyxl', 'xlwings') if m in sys.modules])"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60,
                       env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr


def test_records_from_several_threads_stay_one_transaction_each(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    subs = [sub(f"t{i}", unit=f"第{i % 5}单位", findings=i % 7) for i in range(60)]
    with Ledger.open(tmp_path / "t.sqlite") as led, ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda s: led.record(s, RULES, CONFIG), subs))
        for s in subs:
            back = led.known(s.sha256, RULES, CONFIG)
            assert back is not None and exact(back) == exact(s)
        assert sorted(h.version for h in led.history("第0单位")) == list(range(1, 13))
