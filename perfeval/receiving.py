"""The receiver's desk (收件): what ``perfeval collect`` knows about each submitted 定稿, and the decisions made
over a batch of them (who submitted twice, who is missing, the exit code).

Pure data and decisions: the file layer (:mod:`perfeval.xlsx.collect`) fills a :class:`Submission` per file, the
台账 (:mod:`perfeval.ledger`) stores it, the 汇总 writer (:mod:`perfeval.xlsx.summary`) lays it out. A
:class:`Submission` is plain data (JSON round trip, picklable) so that worker processes can return it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

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

    submissions: list[Submission]
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
        everything = self.submissions + [d.superseded for d in self.duplicates]
        if not any(s.status != FileStatus.UNREADABLE for s in everything):
            return 2
        if self.skipped or self.missing or any(not s.clean for s in everything):
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


def _newest_first(sub: Submission) -> tuple[int, int, str, str, str]:
    """Sort key: intact exports before others, then the latest export time (a file without one last), then the
    latest file time."""
    return (0 if sub.status == FileStatus.INTACT else 1, 0 if sub.exported_at else 1, _neg(sub.exported_at or ""),
            _neg(sub.received_at), sub.path)


def _neg(text: str) -> str:
    """A key that sorts ISO timestamps newest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text)


def dedupe(subs: Iterable[Submission]) -> tuple[list[Submission], list[Duplicate]]:
    """重复报送: of the submissions with the same :attr:`Submission.key`, the newest by export time counts
    (an intact one before a changed one); the others are listed as superseded. Order of the input is kept
    for the kept ones."""
    subs = list(subs)
    groups: dict[Any, list[Submission]] = {}
    for s in subs:
        if s.key is not None:
            groups.setdefault(s.key, []).append(s)
    superseded: dict[int, Submission] = {}
    duplicates: list[Duplicate] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        ordered = sorted(group, key=_newest_first)
        for s in ordered[1:]:
            superseded[id(s)] = ordered[0]
            duplicates.append(Duplicate(s, ordered[0]))
    kept = [s for s in subs if id(s) not in superseded]
    return kept, duplicates


def missing_units(expected: Sequence[str], subs: Iterable[Submission], near_threshold: float = 0.8
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


def unexpected_units(expected: Sequence[str], subs: Iterable[Submission]) -> list[str]:
    """Submitted units not on the expected list (shown in the 汇总 so a misspelt unit name is noticed)."""
    wanted = {project_key(n) for n in expected}
    return sorted({s.unit for s in subs if s.unit and project_key(s.unit) not in wanted})


__all__ = [
    "FILE_STATUS_LABELS", "CollectResult", "Duplicate", "FileStatus", "MissingUnit", "ScoreEntry", "Skipped",
    "Submission", "SubmittedFinding", "dedupe", "missing_units", "unexpected_units",
]
