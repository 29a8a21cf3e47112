"""The 收件台账: every submission ``perfeval collect`` has read, in an embedded SQLite database.

Standard library :mod:`sqlite3` only (an engine-level module: no openpyxl). What it holds:

* one row of ``submissions`` per file read (by content: its SHA-256) under one rule set and one configuration,
  with its score tables in ``entries`` and its findings in ``findings`` (the columns are documented in
  ``docs/ledger-schema.md``, the receiver's reference for querying the 台账 with any SQLite tool);
* **versions**: the submissions with the same :attr:`perfeval.receiving.Submission.key` (unit, year, form and
  projects) are numbered 1, 2, … in the order they were first recorded; a version is a file *content*: the same
  file seen again (under any path, or re-read under other rules) keeps its version number;
* **incremental**: :meth:`Ledger.known` returns the stored submission of a file already read with the same rule
  set and configuration, so ``collect`` does not read it again; with another rule set or configuration the file
  is read again and recorded as a new row (same version number).

Robustness: WAL journal (readers never wait for the writer, the writer never waits for readers), one
transaction per file (the submission row, its entries and findings together or nothing), :meth:`Ledger.record`
idempotent (recording a file already present under the same rules is a no-op): killing the process in the middle
of a batch and running the batch again gives the same 台账 as one uninterrupted run, provided the files are
recorded in the same order (versions follow the order of recording). A :class:`Ledger` may be shared by threads
(one transaction at a time); each process opens its own.

Schema versions: ``PRAGMA user_version`` holds the number of :data:`MIGRATIONS` applied; opening a database
applies the missing ones in order, each in its own transaction. A database written by a newer perfeval (a
user_version above ``len(MIGRATIONS)``) is refused with :class:`LedgerError` and left untouched, and so is a
file that is not an SQLite database. A future schema change appends a migration; existing ones never change.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from perfeval.names import project_key, similarity
from perfeval.receiving import FileStatus, ScoreEntry, Submission, SubmittedFinding

#: the receiver's default database file (in the current folder)
DEFAULT_DB = "台账.sqlite"


class LedgerError(Exception):
    """The 台账 cannot be used (not a database, written by a newer perfeval, cannot be opened or written);
    ``str()`` is a Chinese message."""


# --------------------------------------------------------------------------- schema

_V1 = (
    """CREATE TABLE submissions (
        id                  INTEGER PRIMARY KEY,
        sha256              TEXT NOT NULL,
        ruleset_version     TEXT NOT NULL,
        config_key          TEXT NOT NULL,
        submission_key      TEXT,
        version             INTEGER NOT NULL,
        path                TEXT NOT NULL,
        name                TEXT NOT NULL,
        size                INTEGER NOT NULL,
        received_at         TEXT NOT NULL,
        recorded_at         TEXT NOT NULL,
        status              TEXT NOT NULL,
        status_message      TEXT NOT NULL,
        form                TEXT,
        form_title          TEXT,
        unit                TEXT,
        unit_key            TEXT,
        year                INTEGER,
        fingerprint         TEXT,
        exported_at         TEXT,
        forced_reason       TEXT,
        profile             TEXT,
        control_rate        TEXT,
        three_public_actual TEXT,
        three_public_budget TEXT,
        read_error          TEXT,
        UNIQUE (sha256, ruleset_version, config_key)
    )""",
    "CREATE INDEX submissions_unit ON submissions (unit_key, year, form)",
    "CREATE INDEX submissions_key ON submissions (submission_key, version)",
    """CREATE TABLE entries (
        submission_id  INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
        ordinal        INTEGER NOT NULL,
        project        TEXT NOT NULL,
        score          TEXT,
        grade          TEXT,
        execution_rate TEXT,
        budget         TEXT,
        actual         TEXT,
        sheet          TEXT NOT NULL,
        PRIMARY KEY (submission_id, ordinal)
    )""",
    """CREATE TABLE findings (
        submission_id INTEGER NOT NULL REFERENCES submissions (id) ON DELETE CASCADE,
        ordinal       INTEGER NOT NULL,
        code          TEXT NOT NULL,
        severity      TEXT NOT NULL,
        sheet         TEXT NOT NULL,
        cell          TEXT NOT NULL,
        message       TEXT NOT NULL,
        note          TEXT NOT NULL,
        project       TEXT NOT NULL,
        PRIMARY KEY (submission_id, ordinal)
    )""",
    """CREATE VIEW overview AS
        SELECT s.id, s.unit, s.year, s.form, s.version, s.status, s.name, s.received_at, s.fingerprint,
               s.ruleset_version, s.config_key,
               (SELECT COUNT(*) FROM findings f WHERE f.submission_id = s.id AND f.severity = 'error') AS errors,
               (SELECT COUNT(*) FROM findings f WHERE f.submission_id = s.id AND f.severity = 'warning') AS warnings,
               (SELECT COUNT(*) FROM findings f WHERE f.submission_id = s.id AND f.severity = 'info') AS infos,
               (SELECT group_concat(e.score, '、') FROM entries e WHERE e.submission_id = s.id) AS scores
        FROM submissions s""",
)


def _migrate_v1(conn: sqlite3.Connection) -> None:
    for statement in _V1:
        conn.execute(statement)


Migration = Callable[[sqlite3.Connection], None]

#: the schema's history: migration *i* (0-based) brings a database from user_version *i* to *i* + 1. Append only.
MIGRATIONS: list[Migration] = [_migrate_v1]


def schema_version() -> int:
    """The schema version this code writes (the number of migrations it knows)."""
    return len(MIGRATIONS)


# --------------------------------------------------------------------------- values


def _text(value: str) -> str | bytes:
    """A string for SQLite: as is when it is valid UTF-8 text; a path holding undecodable bytes (surrogates
    from the file system) is stored as the BLOB of its ``surrogatepass`` encoding so that it reads back exactly."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")
    return value


def _param(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return _text(value)
    return value


def _str(value: Any) -> Any:
    return value.decode("utf-8", "surrogatepass") if isinstance(value, bytes) else value


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(_str(value))


def _where(sql: str, params: list[Any], **filters: Any) -> tuple[str, list[Any]]:
    """``sql`` (ending in a WHERE clause) with ``AND column = ?`` for each filter that is not None."""
    for column, value in filters.items():
        if value is not None:
            sql += f" AND {column} = ?"
            params = [*params, value]
    return sql, params


def key_text(key: tuple[Any, ...] | None) -> str | None:
    """:attr:`Submission.key` as stored in ``submissions.submission_key`` (JSON; None for an unknown key)."""
    if key is None:
        return None
    unit, year, form, projects = key
    return json.dumps([unit, year, form, list(projects)], ensure_ascii=False, separators=(",", ":"))


_SUB_COLUMNS = ("sha256", "ruleset_version", "config_key", "submission_key", "version", "path", "name", "size",
                "received_at", "recorded_at", "status", "status_message", "form", "form_title", "unit", "unit_key",
                "year", "fingerprint", "exported_at", "forced_reason", "profile", "control_rate",
                "three_public_actual", "three_public_budget", "read_error")
_ENTRY_COLUMNS = ("project", "score", "grade", "execution_rate", "budget", "actual", "sheet")
_FINDING_COLUMNS = ("code", "severity", "sheet", "cell", "message", "note", "project")


@dataclass(frozen=True)
class HistoryRow:
    """One version of a unit's submission as the 台账 holds it."""

    version: int
    recorded_at: str  # when this row was recorded (wall clock, ISO 8601)
    ruleset_version: str
    config_key: str
    submission: Submission

    def to_json_dict(self) -> dict[str, Any]:
        return {"version": self.version, "recorded_at": self.recorded_at, "ruleset_version": self.ruleset_version,
                "config_key": self.config_key, **self.submission.to_json_dict()}


# --------------------------------------------------------------------------- the ledger


class Ledger:
    """An open 台账. Use :meth:`open` (also as a context manager: ``with Ledger.open(path) as ledger``)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = threading.RLock()  # one connection, usable from any thread, one transaction at a time

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: Path, *, create: bool = True, timeout: float = 30.0) -> Ledger:
        """The 台账 at ``path``, created when missing (unless ``create`` is False) and migrated to the current
        schema. ``timeout``: seconds a writer waits for another writer before giving up."""
        path = Path(path)
        if not create and not path.is_file():
            raise LedgerError(f"找不到台账文件：{path}")
        if path.is_dir():
            raise LedgerError(f"台账路径是一个文件夹：{path}（请给出文件名，例如 {path / DEFAULT_DB}）")
        try:
            conn = sqlite3.connect(str(path), timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise LedgerError(f"无法打开台账文件 {path}：{exc}") from exc
        try:
            _prepare(conn, path)
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------------ reading
    def known(self, sha256: str, ruleset_version: str, config_key: str) -> Submission | None:
        """The submission recorded for this file content under these rules and configuration (None when the file
        must be read). The stored path and name are those of the first time the content was seen."""
        row = self._query_one("SELECT id FROM submissions WHERE sha256 = ? AND ruleset_version = ? AND config_key = ?",
                              (sha256, ruleset_version, config_key))
        return None if row is None else self._submission(row[0])

    def latest(self, key: tuple[Any, ...] | None, *, ruleset_version: str | None = None,
               config_key: str | None = None) -> Submission | None:
        """The latest version recorded for :attr:`Submission.key` ``key`` (of the versions read under these rules
        and configuration when they are given; the most recently recorded reading of that version)."""
        text = key_text(key)
        if text is None:
            return None
        sql, params = _where("SELECT id FROM submissions WHERE submission_key = ?", [text],
                             ruleset_version=ruleset_version, config_key=config_key)
        row = self._query_one(sql + " ORDER BY version DESC, id DESC LIMIT 1", params)
        return None if row is None else self._submission(row[0])

    def history(self, unit: str, *, year: int | None = None, form: str | None = None) -> list[HistoryRow]:
        """Every version of the unit's submissions, oldest first (in the order they were first recorded). The
        unit is matched by :func:`perfeval.names.project_key` (width, spaces, brackets do not count); a version
        read under several rule sets or configurations appears once, as its most recently recorded reading."""
        sql, params = _where("SELECT id, version, recorded_at, ruleset_version, config_key, submission_key "
                             "FROM submissions WHERE unit_key = ?", [project_key(unit)], year=year, form=form)
        rows = self._query(sql + " ORDER BY id", params)
        first: dict[tuple[Any, int], int] = {}  # (key, version) -> first id
        last: dict[tuple[Any, int], tuple[Any, ...]] = {}
        for row in rows:
            ident = (row[5], row[1])
            first.setdefault(ident, row[0])
            last[ident] = row
        out = []
        for ident in sorted(first, key=first.__getitem__):
            row = last[ident]
            out.append(HistoryRow(version=row[1], recorded_at=_str(row[2]), ruleset_version=_str(row[3]),
                                  config_key=_str(row[4]), submission=self._submission(row[0])))
        return out

    def units(self) -> list[str]:
        """The units in the 台账 (each as most recently recorded), sorted."""
        rows = self._query("SELECT unit_key, unit FROM submissions WHERE unit_key IS NOT NULL AND unit_key != '' "
                           "ORDER BY id")
        names = {_str(k): _str(u) for k, u in rows}
        return sorted(names.values())

    def units_like(self, name: str, *, threshold: float = 60.0, limit: int = 5) -> list[str]:
        """Units whose names are close to ``name`` (best first): a :func:`perfeval.names.similarity` of at least
        ``threshold``, or one name containing the other."""
        wanted = project_key(name)
        if not wanted:
            return []
        scored = []
        for unit in self.units():
            key = project_key(unit)
            score = similarity(wanted, key)
            if wanted in key or key in wanted:
                score = max(score, 90.0)
            if score >= threshold:
                scored.append((-score, unit))
        return [unit for _, unit in sorted(scored)[:limit]]

    def count(self) -> int:
        """The number of rows in ``submissions``."""
        row = self._query_one("SELECT COUNT(*) FROM submissions", ())
        return int(row[0]) if row else 0

    # ------------------------------------------------------------------ writing
    def record(self, sub: Submission, ruleset_version: str, config_key: str) -> int:
        """Store ``sub`` (read under these rules and configuration) and return its version number.

        One transaction: the row, its entries and its findings are stored together or not at all. A file
        content already recorded under the same rules and configuration is not stored again (its version is
        returned). The version is that of the same content under the same key when there is one, otherwise the
        key's highest version + 1 (1 for a submission whose key is unknown)."""
        with self._lock:
            return self._record(sub, ruleset_version, config_key)

    def _record(self, sub: Submission, ruleset_version: str, config_key: str) -> int:
        conn = self._conn
        key = key_text(sub.key)
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                row = conn.execute(
                    "SELECT version FROM submissions WHERE sha256 = ? AND ruleset_version = ? AND config_key = ?",
                    (_text(sub.sha256), _text(ruleset_version), _text(config_key))).fetchone()
                if row is not None:
                    conn.execute("COMMIT")
                    return int(row[0])
                version = 1
                if key is not None:
                    same = conn.execute("SELECT version FROM submissions WHERE submission_key = ? AND sha256 = ? "
                                        "LIMIT 1", (_text(key), _text(sub.sha256))).fetchone()
                    if same is not None:
                        version = int(same[0])
                    else:
                        top = conn.execute("SELECT MAX(version) FROM submissions WHERE submission_key = ?",
                                           (_text(key),)).fetchone()
                        version = int(top[0] or 0) + 1
                values = {
                    "sha256": sub.sha256, "ruleset_version": ruleset_version, "config_key": config_key,
                    "submission_key": key, "version": version, "path": sub.path, "name": sub.name,
                    "size": sub.size, "received_at": sub.received_at,
                    "recorded_at": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "status": FileStatus(sub.status).value, "status_message": sub.status_message,
                    "form": sub.form, "form_title": sub.form_title, "unit": sub.unit,
                    "unit_key": project_key(sub.unit) if sub.unit else None, "year": sub.year,
                    "fingerprint": sub.fingerprint, "exported_at": sub.exported_at,
                    "forced_reason": sub.forced_reason, "profile": sub.profile, "control_rate": sub.control_rate,
                    "three_public_actual": sub.three_public_actual, "three_public_budget": sub.three_public_budget,
                    "read_error": sub.read_error,
                }
                cur = conn.execute(
                    f"INSERT INTO submissions ({', '.join(_SUB_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_SUB_COLUMNS))})",
                    [_param(values[c]) for c in _SUB_COLUMNS])
                ident = cur.lastrowid
                conn.executemany(
                    f"INSERT INTO entries (submission_id, ordinal, {', '.join(_ENTRY_COLUMNS)}) "
                    f"VALUES (?, ?, {', '.join('?' * len(_ENTRY_COLUMNS))})",
                    [[ident, i, *(_param(getattr(e, c)) for c in _ENTRY_COLUMNS)] for i, e in enumerate(sub.entries)])
                conn.executemany(
                    f"INSERT INTO findings (submission_id, ordinal, {', '.join(_FINDING_COLUMNS)}) "
                    f"VALUES (?, ?, {', '.join('?' * len(_FINDING_COLUMNS))})",
                    [[ident, i, *(_param(getattr(f, c)) for c in _FINDING_COLUMNS)]
                     for i, f in enumerate(sub.findings)])
                conn.execute("COMMIT")
                return version
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise LedgerError(f"无法写入台账 {self.path}：{_reason(exc)}") from exc

    def record_all(self, subs: Iterable[Submission], ruleset_version: str, config_key: str) -> list[int]:
        """:meth:`record` of each submission in order (one transaction each)."""
        return [self.record(s, ruleset_version, config_key) for s in subs]

    # ------------------------------------------------------------------ internals
    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            with self._lock:
                return self._conn.execute(sql, [_param(p) for p in params]).fetchall()
        except sqlite3.Error as exc:
            raise LedgerError(f"无法读取台账 {self.path}：{_reason(exc)}") from exc

    def _query_one(self, sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
        rows = self._query(sql, params)
        return rows[0] if rows else None

    def _submission(self, ident: int) -> Submission:
        with self._lock:
            return self._read_submission(ident)

    def _read_submission(self, ident: int) -> Submission:
        # one read transaction: the row and its children are one consistent snapshot
        try:
            self._conn.execute("BEGIN")
            try:
                row = self._conn.execute(f"SELECT {', '.join(_SUB_COLUMNS)} FROM submissions WHERE id = ?",
                                         (ident,)).fetchone()
                entries = self._conn.execute(f"SELECT {', '.join(_ENTRY_COLUMNS)} FROM entries "
                                             "WHERE submission_id = ? ORDER BY ordinal", (ident,)).fetchall()
                findings = self._conn.execute(f"SELECT {', '.join(_FINDING_COLUMNS)} FROM findings "
                                              "WHERE submission_id = ? ORDER BY ordinal", (ident,)).fetchall()
            finally:
                self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise LedgerError(f"无法读取台账 {self.path}：{_reason(exc)}") from exc
        v = {c: _str(x) for c, x in zip(_SUB_COLUMNS, row, strict=True)}
        return Submission(
            path=v["path"], name=v["name"], sha256=v["sha256"], size=int(v["size"]), received_at=v["received_at"],
            status=FileStatus(v["status"]), status_message=v["status_message"], form=v["form"],
            form_title=v["form_title"], unit=v["unit"], year=v["year"], fingerprint=v["fingerprint"],
            exported_at=v["exported_at"], forced_reason=v["forced_reason"], profile=v["profile"],
            entries=[ScoreEntry(project=_str(e[0]), score=_dec(e[1]), grade=_str(e[2]), execution_rate=_dec(e[3]),
                                budget=_dec(e[4]), actual=_dec(e[5]), sheet=_str(e[6])) for e in entries],
            control_rate=_dec(v["control_rate"]), three_public_actual=_dec(v["three_public_actual"]),
            three_public_budget=_dec(v["three_public_budget"]),
            findings=[SubmittedFinding(*(_str(x) for x in f)) for f in findings], read_error=v["read_error"])


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "数据库正被其他程序占用（另一个 perfeval collect 正在写入？），请稍后再试"
    if "readonly" in text or "read-only" in text:
        return "文件或所在文件夹是只读的"
    if "disk" in text and "full" in text:
        return "磁盘已满"
    if "not a database" in text or "malformed" in text:
        return "文件不是台账数据库或已损坏"
    return text


def _prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Check the database, switch to WAL and apply the missing migrations (each in one transaction)."""
    known = schema_version()
    try:
        current = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if current > known:
            raise LedgerError(_newer(path, current, known))
        conn.execute("PRAGMA foreign_keys = ON")
        if _journal_mode(conn) != "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        while current < known:
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = int(conn.execute("PRAGMA user_version").fetchone()[0])  # another process may have migrated
                if current > known:
                    raise LedgerError(_newer(path, current, known))
                if current < known:
                    MIGRATIONS[current](conn)
                    current += 1
                    conn.execute(f"PRAGMA user_version = {current}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    except sqlite3.DatabaseError as exc:
        if "not a database" in str(exc) or "malformed" in str(exc) or "file is encrypted" in str(exc):
            raise LedgerError(f"{path} 不是台账数据库（不是 SQLite 数据库文件，或已损坏）；文件未被改动。"
                              f"请用 --db 指定台账文件，或换一个新文件名。") from exc
        raise LedgerError(f"无法打开台账文件 {path}：{_reason(exc)}") from exc


def _journal_mode(conn: sqlite3.Connection) -> str:
    return str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()


def _newer(path: Path, found: int, known: int) -> str:
    return (f"台账 {path} 由较新版本的 perfeval 建立（结构版本 {found}，本程序只认识到 {known}）；"
            "为免损坏，本程序不读写它。请升级 perfeval 后再使用，或另用一个台账文件。")


__all__ = ["DEFAULT_DB", "MIGRATIONS", "HistoryRow", "Ledger", "LedgerError", "key_text", "schema_version"]
