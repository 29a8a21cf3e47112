"""收件: verify and read many submitted 定稿 (``perfeval collect``).

- :func:`find_inputs` walks the inputs: ``.xlsx`` files are read, anything else is listed as skipped.
- :func:`inspect_file` turns one file into a :class:`~perfeval.receiving.Submission`: 核验 (intact / values changed
  / protection removed / not an export / other template), its values read through the form pack, the receiver's
  own 校验 with the unit's 说明 from the 定稿's 校验摘要, the scores of each table. It never raises: a file that
  cannot be read becomes a submission saying why.
- :func:`collect` runs it over the inputs on a process pool, in input order, with the 台账
  (:class:`perfeval.ledger.Ledger`) making re-runs incremental (a file whose hash and rules are known is not read
  again) and recording each file in its own transaction as its result arrives; then the batch decisions of
  :mod:`perfeval.receiving` (重复报送, 未报送).

Values go through the fast reader (:mod:`perfeval.xlsx.fast`); openpyxl only where that cannot read a file.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from perfeval.config import Config
from perfeval.receiving import (
    Brief,
    CollectResult,
    Duplicate,
    FileStatus,
    Skipped,
    Spool,
    Submission,
    SubmittedFinding,
    dedupe,
    missing_units,
)

XLSX_SUFFIXES = (".xlsx", ".xlsm")
LEDGER_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal")
#: the first sheets of a 汇总 perfeval wrote: such a file in a collected folder is not a submission
SUMMARY_MARK = ("汇总", "问题清单")


@dataclass(frozen=True)
class Found:
    """An input file and how it was reached."""

    path: Path
    sha256: str
    size: int
    received_at: str


def _received_at(mtime: float) -> str:
    return dt.datetime.fromtimestamp(mtime).astimezone().isoformat(timespec="seconds")


def find_inputs(inputs: Sequence[Path], exclude: Iterable[Path] = ()) -> tuple[list[Path], list[Skipped]]:
    """The workbooks under ``inputs`` (folders walked, sorted by path) and what was skipped, with why."""
    excluded = {p.resolve() for p in exclude}
    files: list[Path] = []
    skipped: list[Skipped] = []
    seen: set[Path] = set()

    def consider(path: Path) -> None:
        resolved = path.resolve()
        if resolved in seen or resolved in excluded:
            return
        seen.add(resolved)
        if path.name.endswith(LEDGER_SUFFIXES):  # a 台账 (and SQLite's companions) kept beside the files: ours
            return
        if path.name.startswith("~$"):
            skipped.append(Skipped(str(path), "Excel/WPS 打开文件时生成的临时文件"))
        elif path.suffix.lower() not in XLSX_SUFFIXES:
            skipped.append(Skipped(str(path), "不是 .xlsx 工作簿" + (
                "（.xls 请先另存为 .xlsx）" if path.suffix.lower() in (".xls", ".et") else "")))
        else:
            files.append(path)

    for item in inputs:
        if item.is_dir():
            for root, dirs, names in os.walk(item):
                dirs.sort()
                for name in sorted(names):
                    consider(Path(root) / name)
        elif item.exists():
            consider(item)
        else:
            skipped.append(Skipped(str(item), "找不到该文件或文件夹"))
    return files, skipped


def fingerprint_file(path: Path) -> Found:
    """Hash and times of ``path`` (what the 台账 looks up before reading anything)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return Found(path, digest.hexdigest(), size, _received_at(path.stat().st_mtime))


# --------------------------------------------------------------------------- one file

def _notes(rows: Sequence[Sequence[Any]]) -> dict[tuple[str, str, str], str]:
    """(code, sheet, cell) → the unit's 说明 in a 定稿's 校验摘要 findings table."""
    from perfeval.xlsx.exportmeta import SUMMARY_HEADER

    out: dict[tuple[str, str, str], str] = {}
    width = len(SUMMARY_HEADER)
    header_at = None
    for i, row in enumerate(rows):
        cells = tuple(row[:width])
        if header_at is None:
            if tuple(str(c or "").strip() for c in cells) == SUMMARY_HEADER:
                header_at = i
            continue
        code, sheet, cell, note = cells[1], cells[3], cells[4], cells[width - 1]
        if code and note not in (None, ""):
            out[(str(code), str(sheet or ""), str(cell or ""))] = str(note).strip()
    return out


@functools.lru_cache(maxsize=16)  # a batch records a few profiles; Config is frozen
def _profile_config(name: str | None) -> Config:
    """The scoring profile a 定稿 recorded (a shipped one), else the default."""
    from perfeval.config import DEFAULT_CONFIG
    from perfeval.profiles import ProfileError, config_for, load_profile, shipped_names

    if name and name in shipped_names():
        try:
            return config_for(load_profile(name))
        except ProfileError:
            pass
    return DEFAULT_CONFIG


def inspect_file(found: Found, config: Config | None = None) -> Submission | Skipped:
    """One submitted file (see the module docstring); ``config`` None → the profile the 定稿 recorded."""
    base = Submission(path=str(found.path), name=found.path.name, sha256=found.sha256, size=found.size,
                      received_at=found.received_at, status=FileStatus.UNREADABLE, status_message="")
    try:
        return _inspect(found, base, config)
    except Exception as exc:  # never stop a batch: the file becomes a row saying what is wrong with it
        from perfeval.xlsx.io import WorkbookError

        if isinstance(exc, WorkbookError):
            return replace(base, status_message=str(exc))
        return replace(base, status_message=f"无法读取该文件（{type(exc).__name__}），请用 perfeval verify 单独核验")


def _inspect(found: Found, base: Submission, config: Config | None) -> Submission | Skipped:
    from perfeval import forms
    from perfeval.reading import StructureError
    from perfeval.rules import run_rules
    from perfeval.sheets import SUMMARY_SHEET
    from perfeval.xlsx.fast import open_values

    opened = open_values(found.path)
    sha256 = hashlib.sha256(opened.data).hexdigest()
    if sha256 != found.sha256:  # replaced since it was hashed: take what was read
        base = replace(base, sha256=sha256, size=len(opened.data))
    if tuple(opened.sheetnames[:2]) == SUMMARY_MARK:
        return Skipped(str(found.path), "这是 perfeval collect 生成的汇总表，不是报送文件")
    verified = opened.verify()
    summary_rows = opened.rows(SUMMARY_SHEET, 9) if SUMMARY_SHEET in opened.sheetnames else []
    meta = verified.metadata
    sub = replace(base, status=FileStatus(verified.status.value), status_message=verified.message,
                  fingerprint=meta.get("fingerprint") or None, exported_at=verified.exported_at,
                  forced_reason=verified.forced_reason, profile=verified.meta("profile"),
                  unit=verified.unit, year=verified.year, form=verified.meta("form"))
    try:
        read = opened.read()
    except StructureError as exc:
        return replace(sub, read_error=str(exc))
    pack = forms.get(read.layout.form)
    used = config or _profile_config(sub.profile)
    computed = pack.compute(read.report, used)
    findings = run_rules(read.report, read.layout, computed, config=used, read_issues=read.issues).sorted()
    notes = _notes(summary_rows)
    entries = pack.score_entries(read.report, read.layout, computed, used)
    by_sheet = {e.sheet: e.project for e in entries if e.project}
    submitted = [SubmittedFinding(code=f.code, severity=str(f.severity), sheet=f.sheet, cell=f.cell,
                                  message=f.message, note=notes.get((f.code, f.sheet, f.cell), ""),
                                  project=by_sheet.get(f.sheet, ""))
                 for f in findings.findings]
    figures: dict[str, Decimal | None] = pack.receiver_figures(read.report, computed)
    return replace(sub, form=pack.name, form_title=pack.title, unit=sub.unit or pack.unit_name(read.report) or None,
                   year=sub.year or pack.year(read.report), entries=entries, findings=submitted, **figures)


def _inspect_task(args: tuple[Found, Config | None]) -> Submission | Skipped:
    return inspect_file(*args)


# --------------------------------------------------------------------------- the batch

def config_key(config: Config | None) -> str:
    """How the 台账 tells apart readings under different configurations (None: each file's recorded profile)."""
    if config is None:
        return "recorded"
    text = json.dumps(config.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _ignore_interrupts() -> None:
    """Pool workers leave Ctrl-C to the main process (which stops the batch and reports it once), so that a
    worker interrupted mid-file prints no traceback of its own."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _results(tasks: list[tuple[Found, Config | None]], jobs: int) -> Generator[Submission | Skipped, None, None]:
    """Results in task order: in this process for a small batch or ``jobs`` 1, else on a process pool."""
    if jobs <= 1 or len(tasks) < 4:
        for task in tasks:
            yield _inspect_task(task)
        return
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, min(16, len(tasks) // (jobs * 4)))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_interrupts) as pool:
        try:
            yield from pool.map(_inspect_task, tasks, chunksize=chunk)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def collect(inputs: Sequence[Path], *, config: Config | None = None, ledger: Any = None,
            expected: Sequence[str] | None = None, year: int | None = None, form: str | None = None,
            jobs: int | None = None, exclude: Iterable[Path] = (),
            progress: Callable[[int, int], None] | None = None) -> CollectResult:
    """Collect the submissions under ``inputs`` (see the module docstring). ``ledger`` (a
    :class:`perfeval.ledger.Ledger`) is read for known files and written as each file is done; ``progress``
    is called with (files done, files in total)."""
    from perfeval.rules import RULESET_VERSION

    paths, skipped = find_inputs(inputs, exclude)
    key = config_key(config)
    # the files in input order: a submission the 台账 already holds, or a task for the pool
    planned: list[Submission | Skipped | None] = []
    tasks: list[tuple[Found, Config | None]] = []
    reused = 0
    for path in paths:
        try:
            found = fingerprint_file(path)
        except OSError as exc:
            planned.append(Skipped(str(path), f"无法读取：{exc.strerror or type(exc).__name__}"))
            continue
        known = ledger.known(found.sha256, RULESET_VERSION, key) if ledger is not None else None
        if known is not None:
            planned.append(replace(known, path=str(path), name=path.name, received_at=found.received_at))
            reused += 1
        else:
            planned.append(None)
            tasks.append((found, config))
    total = len(planned)
    done = total - len(tasks)
    if progress is not None:
        progress(done, total)
    # each result is written to the spool as it arrives (in input order); only its Brief stays in memory
    spool = Spool()
    briefs: list[Brief] = []
    results = _results(tasks, jobs or os.cpu_count() or 1)
    try:
        for item in planned:
            if item is None:
                item = next(results)
                if ledger is not None and isinstance(item, Submission):
                    ledger.record(item, RULESET_VERSION, key)
                done += 1
                if progress is not None:
                    progress(done, total)
            if isinstance(item, Skipped):
                skipped.append(item)
            elif year is not None and item.year is not None and item.year != year:
                skipped.append(Skipped(item.path, f"{item.year}年度，不是所收的{year}年度"))
            elif form is not None and item.form is not None and item.form != form:
                skipped.append(Skipped(item.path, f"{item.form_title or item.form}，不是所收的表格类型"))
            else:
                briefs.append(Brief.of(item, spool.append(item)))
        next(results, None)  # every task was taken: this lets the pool finish
    finally:
        results.close()
    kept, pairs = dedupe(briefs)
    missing = missing_units(expected, kept) if expected is not None else []
    return CollectResult(submissions=spool.view([b.index for b in kept]),
                         duplicates=[Duplicate(spool.read(old.index), spool.read(new.index)) for old, new in pairs],
                         skipped=skipped, expected=list(expected) if expected is not None else None,
                         missing=missing, year=year, form=form,
                         generated_at=dt.datetime.now().astimezone().isoformat(timespec="seconds"), reused=reused)


def ledger_files(db: Path) -> list[Path]:
    """The 台账 ``db`` and the companion files SQLite keeps beside it (never collected as inputs)."""
    return [db, *(db.with_name(db.name + suffix) for suffix in ("-wal", "-shm", "-journal"))]


def collect_into(inputs: Sequence[Path], *, out: Path | None, db: Path | None, **options: Any) -> CollectResult:
    """``perfeval collect`` and the add-in's 汇总 button: :func:`collect` the ``inputs`` with the 台账 ``db`` (None:
    without one), then write the 汇总 workbook ``out`` (None: not written). The 汇总 and the 台账 files are never
    read as inputs. ``options`` go to :func:`collect`. Raises :class:`perfeval.ledger.LedgerError` when the 台账
    cannot be opened or written (the 汇总 is then not written)."""
    from perfeval.ledger import Ledger

    exclude = [*options.pop("exclude", ()), *([out] if out is not None else []),
               *(ledger_files(db) if db is not None else [])]
    ledger = Ledger.open(db) if db is not None else None
    try:
        result = collect(inputs, ledger=ledger, exclude=exclude, **options)
    finally:
        if ledger is not None:
            ledger.close()
    if out is not None:
        from perfeval.xlsx.summary import write_summary

        write_summary(result, out)
    return result


def result_lines(result: CollectResult, out: Path | None, db: Path | None, *, problems: int = 30,
                 skipped: int = 20) -> list[str]:
    """What a batch came to, in Chinese (the command line prints it, the add-in shows it): counts, the first
    ``problems`` submissions that are not clean, the first ``skipped`` files skipped, where the 汇总 and the 台账
    are."""
    from perfeval.receiving import FILE_STATUS_LABELS, FileStatus

    subs = result.submissions
    counts = dict.fromkeys(FileStatus, 0)
    for d in result.duplicates:
        counts[d.superseded.status] += 1
    with_errors = unclean = 0
    shown: list[str] = []
    for x in subs:  # one pass (a large batch is read back from its spool)
        counts[x.status] += 1
        with_errors += bool(x.counts["error"] or x.read_error)
        if not x.clean:
            unclean += 1
            if unclean <= problems:
                c = x.counts
                shown.append(f"  - {x.name}：{x.status_label}；错误 {c['error']}，警告 {c['warning']}"
                             + (f"；{x.read_error}" if x.read_error else ""))
    lines = [f"共收到 {sum(counts.values())} 个工作簿（{result.reused} 个在台账中已有记录，未重新读取），"
             f"跳过 {len(result.skipped)} 个文件。"]
    lines.append("核验结果：" + ("；".join(f"{FILE_STATUS_LABELS[s]} {n} 个" for s, n in counts.items() if n) or "无"))
    lines.append(f"计入汇总 {len(subs)} 份（重复报送 {len(result.duplicates)} 份只保留最新的一份），"
                 f"其中有错误的 {with_errors} 份。")
    if result.expected is not None:
        lines.append(f"应报送单位 {len(result.expected)} 个，未报送 {len(result.missing)} 个"
                     + (f"：{'、'.join(m.name for m in result.missing[:20])}" if result.missing else "")
                     + ("……" if len(result.missing) > 20 else ""))
    lines += shown
    if unclean > problems:
        lines.append(f"  …… 另有 {unclean - problems} 份，见汇总表")
    for item in result.skipped[:skipped]:
        lines.append(f"  跳过 {item.path}：{item.reason}")
    if len(result.skipped) > skipped:
        lines.append(f"  …… 另跳过 {len(result.skipped) - skipped} 个文件，见汇总表")
    if out is not None:
        lines.append(f"汇总表：{out}")
    if db is not None:
        lines.append(f"收件台账：{db}（perfeval history 单位名称 查看某单位的各次报送）")
    return lines


__all__ = ["Found", "collect", "collect_into", "config_key", "find_inputs", "fingerprint_file", "inspect_file",
           "ledger_files", "result_lines"]
