"""The receiver's desk (收件): what ``perfeval collect`` knows about each submitted 定稿, and the decisions made
over a batch of them (who submitted twice, who is missing, the exit code).

Pure data and decisions: the file layer (:mod:`perfeval.xlsx.collect`) fills a :class:`Submission` per file, the
台账 (:mod:`perfeval.ledger`) stores it, the 汇总 writer (:mod:`perfeval.xlsx.summary`) lays it out. A
:class:`Submission` is plain data (JSON round trip, picklable) so that worker processes can return it.
"""

from __future__ import annotations

import itertools
import pickle
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol, TypeVar, overload

from perfeval.names import project_key, similarity


class FileStatus(StrEnum):
    """核验结果 of a submitted file, best first. The first five are :class:`perfeval.xlsx.verify.VerifyStatus`."""

    INTACT = "intact"
    PROTECTION_REMOVED = "protection_removed"
    VALUES_CHANGED = "values_changed"
    TEMPLATE_MISMATCH = "template_mismatch"
    NOT_EXPORT = "not_export"
    UNREADABLE = "unreadable"  # not an .xlsx workbook at all (corrupt zip, too large, another format)


FILE_STATUS_LABELS = {
    FileStatus.INTACT: "完好",
    FileStatus.PROTECTION_REMOVED: "保护被解除",
    FileStatus.VALUES_CHANGED: "导出后被改动",
    FileStatus.TEMPLATE_MISMATCH: "模板版本不符",
    FileStatus.NOT_EXPORT: "不是导出的定稿",
    FileStatus.UNREADABLE: "无法读取",
}

SEVERITIES = ("error", "warning", "info")


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


@dataclass(frozen=True)
class SubmittedFinding:
    """One finding of the receiver's own 校验 of a submission, with the unit's 说明 from its 校验摘要."""

    code: str
    severity: str  # error / warning / info (perfeval.findings.Severity values)
    sheet: str
    cell: str
    message: str
    note: str = ""  # the unit's 说明 / 理由 for this finding in the 定稿's 校验摘要 ("" when none)
    project: str = ""  # project form: the project (sheet) concerned


@dataclass(frozen=True)
class ScoreEntry:
    """One scored table of a submission: the 自评表 of a department, or one project of the project form."""

    project: str = ""  # project form: 项目名称; department form: ""
    score: Decimal | None = None  # 总分 (the table's own total, Σ得分)
    grade: str | None = None  # 等级 by the receiver's profile
    execution_rate: Decimal | None = None  # 预算执行率 of the 年度资金总额 row (fraction, 1 = 100 %)
    budget: Decimal | None = None  # 全年预算数 (万元)
    actual: Decimal | None = None  # 全年执行数 (万元)
    sheet: str = ""  # the sheet holding the table (for the 复核 sheet's reference)


@dataclass
class Submission:
    """Everything the 汇总 and the 台账 keep about one submitted file."""

    path: str  # as found (absolute)
    name: str  # file name
    sha256: str
    size: int
    received_at: str  # the file's modification time, ISO 8601 (what “收到时间” shows)
    status: FileStatus
    status_message: str  # the Chinese 核验 message (or why the file could not be read)
    form: str | None = None
    form_title: str | None = None
    unit: str | None = None
    year: int | None = None
    fingerprint: str | None = None  # recorded at export
    exported_at: str | None = None
    forced_reason: str | None = None
    profile: str | None = None  # profile recorded at export
    entries: list[ScoreEntry] = field(default_factory=list)
    control_rate: Decimal | None = None  # department form: “三公”经费控制率 (fraction)
    three_public_actual: Decimal | None = None  # department form: “三公”经费 本年决算数
    three_public_budget: Decimal | None = None  # department form: “三公”经费 本年预算数
    findings: list[SubmittedFinding] = field(default_factory=list)
    read_error: str | None = None  # the values could not be read through the form pack (Chinese)

    # ------------------------------------------------------------------ derived
    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out

    @property
    def clean(self) -> bool:
        """Intact and without error or warning (what exit code 0 needs for every file)."""
        c = self.counts
        return self.status == FileStatus.INTACT and not self.read_error and c["error"] == 0 and c["warning"] == 0

    @property
    def key(self) -> tuple[str, int | None, str | None, tuple[str, ...]] | None:
        """Who and what this submission is: unit, year, form and (project form) its projects; None when
        unknown (an unreadable file is never a duplicate of another)."""
        if not self.unit or self.form is None:
            return None
        projects = tuple(sorted(project_key(e.project) for e in self.entries if e.project))
        return (project_key(self.unit), self.year, self.form, projects)

    @property
    def status_label(self) -> str:
        return FILE_STATUS_LABELS[self.status]

    # ------------------------------------------------------------------ JSON
    def to_json_dict(self) -> dict[str, Any]:
        def conv(value: Any) -> Any:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, dict):
                return {k: conv(v) for k, v in value.items()}
            if isinstance(value, list):
                return [conv(v) for v in value]
            return value

        out = conv(asdict(self))
        out["status"] = self.status.value
        out["status_label"] = self.status_label
        out["counts"] = self.counts
        return out

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> Submission:
        entries = [ScoreEntry(project=e.get("project", ""), score=_dec(e.get("score")), grade=e.get("grade"),
                              execution_rate=_dec(e.get("execution_rate")), budget=_dec(e.get("budget")),
                              actual=_dec(e.get("actual")), sheet=e.get("sheet", ""))
                   for e in data.get("entries", [])]
        findings = [SubmittedFinding(**{k: f.get(k, "") for k in
                                        ("code", "severity", "sheet", "cell", "message", "note", "project")})
                    for f in data.get("findings", [])]
        return cls(path=data["path"], name=data["name"], sha256=data["sha256"], size=int(data["size"]),
                   received_at=data["received_at"], status=FileStatus(data["status"]),
                   status_message=data.get("status_message", ""), form=data.get("form"),
                   form_title=data.get("form_title"), unit=data.get("unit"),
                   year=None if data.get("year") is None else int(data["year"]),
                   fingerprint=data.get("fingerprint"), exported_at=data.get("exported_at"),
                   forced_reason=data.get("forced_reason"), profile=data.get("profile"), entries=entries,
                   control_rate=_dec(data.get("control_rate")),
                   three_public_actual=_dec(data.get("three_public_actual")),
                   three_public_budget=_dec(data.get("three_public_budget")),
                   findings=findings, read_error=data.get("read_error"))


@dataclass(frozen=True)
class Skipped:
    """A file found in the inputs that is not an .xlsx workbook (listed, never read)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Duplicate:
    """A submission superseded by a newer one of the same unit, year and form (重复报送)."""

    superseded: Submission
    kept: Submission

    @property
    def reason(self) -> str:
        """Why ``kept`` counts instead of ``superseded`` (Chinese), following :func:`dedupe`'s order."""
        kept, old = self.kept, self.superseded
        if kept.status == FileStatus.INTACT and old.status != FileStatus.INTACT:
            return f"保留的文件核验完好，此文件{old.status_label}"
        if (kept.exported_at or "") != (old.exported_at or ""):
            return "保留导出时间较新的文件"
        if kept.received_at != old.received_at:
            return "导出时间相同，保留收到时间较新的文件"
        return "导出时间和收到时间都相同，保留其中一份"


@dataclass(frozen=True)
class MissingUnit:
    """An expected unit without a submission (未报送); ``near`` names a submitted unit whose name is close."""

    name: str
    near: str | None = None
    score: float | None = None  # similarity of ``near`` (0–1)


@dataclass
class CollectResult:
    """A collected batch: the current submissions (one per unit/year/form), the superseded ones, the files
    skipped and (with an expected list) the units missing."""

    submissions: Sequence[Submission]  # a list, or a :class:`Spool` view (a large batch kept on disk)
    duplicates: list[Duplicate] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    expected: list[str] | None = None
    missing: list[MissingUnit] = field(default_factory=list)
    year: int | None = None
    form: str | None = None
    generated_at: str = ""
    reused: int = 0  # submissions taken from the 台账 without reading the file again

    @property
    def exit_code(self) -> int:
        """0 when every file is intact and clean, 1 when any is not, 2 when nothing could be read."""
        readable = unclean = False
        for s in itertools.chain(self.submissions, (d.superseded for d in self.duplicates)):
            readable = readable or s.status != FileStatus.UNREADABLE
            unclean = unclean or not s.clean
        if not readable:
            return 2
        if self.skipped or self.missing or unclean:
            return 1
        return 0

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at,
            "year": self.year,
            "form": self.form,
            "exit_code": self.exit_code,
            "submissions": [s.to_json_dict() for s in self.submissions],
            "duplicates": [{"file": d.superseded.path, "kept": d.kept.path} for d in self.duplicates],
            "skipped": [asdict(s) for s in self.skipped],
            "expected": self.expected,
            "missing": [asdict(m) for m in self.missing],
            "reused": self.reused,
        }


class Spool:
    """Submissions kept in a temporary file (pickled, one after the other) instead of in memory, so that the
    memory of a batch does not grow with its number of files: :func:`perfeval.xlsx.collect.collect` writes each
    submission here as it arrives and keeps only a :class:`Brief` of it; the 汇总 writer then reads them back in
    order through a :meth:`view` (each pass over the batch reads the file once)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="perfeval-collect-")  # removed when closed or collected
        self._spans: list[tuple[int, int]] = []
        self._end = 0

    def append(self, sub: Submission) -> int:
        """Store ``sub``; its index."""
        data = pickle.dumps(sub, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.seek(self._end)
        self._file.write(data)
        self._spans.append((self._end, len(data)))
        self._end += len(data)
        return len(self._spans) - 1

    def read(self, index: int) -> Submission:
        """The submission stored at ``index``."""
        start, size = self._spans[index]
        self._file.seek(start)
        sub: Submission = pickle.loads(self._file.read(size))  # our own temporary file, written above
        return sub

    def __len__(self) -> int:
        return len(self._spans)

    def view(self, indexes: Iterable[int] | None = None) -> SpoolView:
        """The sequence of the submissions at ``indexes``, in that order (None: all, as stored)."""
        return SpoolView(self, list(range(len(self)) if indexes is None else indexes))

    def close(self) -> None:
        self._file.close()


class SpoolView(Sequence[Submission]):
    """Some of a :class:`Spool`'s submissions, in the order given: a sequence read from the spool on demand."""

    def __init__(self, spool: Spool, indexes: list[int]) -> None:
        self.spool, self.indexes = spool, indexes

    def __len__(self) -> int:
        return len(self.indexes)

    @overload
    def __getitem__(self, index: int) -> Submission: ...
    @overload
    def __getitem__(self, index: slice) -> list[Submission]: ...
    def __getitem__(self, index: int | slice) -> Submission | list[Submission]:
        if isinstance(index, slice):
            return [self.spool.read(i) for i in self.indexes[index]]
        return self.spool.read(self.indexes[index])

    def __iter__(self) -> Iterator[Submission]:
        return (self.spool.read(i) for i in self.indexes)


@dataclass(frozen=True, slots=True)
class Brief:
    """What the batch decisions need of a spooled submission (:func:`dedupe`, :func:`missing_units`, the year
    and form filters): a few fields, not its findings."""

    index: int  # in the spool
    path: str
    status: FileStatus
    exported_at: str | None
    received_at: str
    key: tuple[str, int | None, str | None, tuple[str, ...]] | None
    unit: str | None
    year: int | None
    form: str | None
    form_title: str | None

    @classmethod
    def of(cls, sub: Submission, index: int) -> Brief:
        return cls(index, sub.path, sub.status, sub.exported_at, sub.received_at, sub.key, sub.unit, sub.year,
                   sub.form, sub.form_title)


class _Keyed(Protocol):
    @property
    def key(self) -> tuple[str, int | None, str | None, tuple[str, ...]] | None: ...
    @property
    def status(self) -> FileStatus: ...
    @property
    def exported_at(self) -> str | None: ...
    @property
    def received_at(self) -> str: ...
    @property
    def path(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def _newest_first(sub: _Keyed) -> tuple[int, int, str, str, str]:
    """Sort key: intact exports before others, then the latest export time (a file without one last), then the
    latest file time."""
    return (0 if sub.status == FileStatus.INTACT else 1, 0 if sub.exported_at else 1, _neg(sub.exported_at or ""),
            _neg(sub.received_at), sub.path)


def _neg(text: str) -> str:
    """A key that sorts ISO timestamps newest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def dedupe(subs: Sequence[K]) -> tuple[list[K], list[tuple[K, K]]]:
    """重复报送: of the submissions (or their :class:`Brief`) with the same :attr:`Submission.key`, the newest by
    export time counts (an intact one before a changed one); the others are superseded. Returns the kept ones in
    input order and the (superseded, kept) pairs."""
    groups: dict[Any, list[K]] = {}
    for s in subs:
        if s.key is not None:
            groups.setdefault(s.key, []).append(s)
    superseded: set[int] = set()
    pairs: list[tuple[K, K]] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=_newest_first)
        for s in ordered[1:]:
            superseded.add(id(s))
            pairs.append((s, ordered[0]))
    return [s for s in subs if id(s) not in superseded], pairs


def missing_units(expected: Sequence[str], subs: Iterable[Submission | Brief], near_threshold: float = 0.8
                  ) -> list[MissingUnit]:
    """未报送: expected units with no submission (names compared by :func:`perfeval.names.project_key`: width,
    spaces, brackets and a leading ordinal do not count).
    A submitted unit whose name is close but not equal is named as ``near`` — never taken as a match."""
    submitted = {project_key(s.unit): s.unit for s in subs if s.unit}
    wanted = {project_key(n) for n in expected}
    # a near miss is a submitted unit not on the list: one that is on it already answers for its own name
    candidates = {k: u for k, u in submitted.items() if k not in wanted}
    out: list[MissingUnit] = []
    seen: set[str] = set()
    for name in expected:
        key = project_key(name)
        if not key or key in seen:
            continue
        seen.add(key)
        if key in submitted:
            continue
        best, best_score = None, 0.0
        for other_key, other in candidates.items():
            score = similarity(key, other_key) / 100
            if score > best_score:
                best, best_score = other, score
        near = best if best is not None and best_score >= near_threshold else None
        out.append(MissingUnit(name.strip(), near, round(best_score, 2) if near else None))
    return out


def unexpected_units(expected: Sequence[str], subs: Iterable[Submission | Brief]) -> list[str]:
    """Submitted units not on the expected list (shown in the 汇总 so a misspelt unit name is noticed)."""
    wanted = {project_key(n) for n in expected}
    return sorted({s.unit for s in subs if s.unit and project_key(s.unit) not in wanted})


__all__ = [
    "FILE_STATUS_LABELS", "Brief", "CollectResult", "Duplicate", "FileStatus", "MissingUnit", "ScoreEntry",
    "Skipped", "Spool", "SpoolView", "Submission", "SubmittedFinding", "dedupe", "missing_units",
    "unexpected_units",
]
