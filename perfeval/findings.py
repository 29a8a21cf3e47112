"""Findings: what a rule reports, and the report object anyone can serialise.

Modelled on frictionless-py's checks/errors/report split: each rule (``perfeval.rules``) is a small unit
with a stable code, a severity and a Chinese message template; it yields :class:`Finding` objects that
name the cell they concern; :class:`FindingReport` collects them with a summary and serialises to the JSON
format of ``perfeval validate --format json``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from perfeval import a1


class Severity(StrEnum):
    ERROR = "error"  # blocks export
    WARNING = "warning"  # needs a written explanation (说明) to pass
    INFO = "info"  # for information


SEVERITY_LABELS = {Severity.ERROR: "错误", Severity.WARNING: "警告", Severity.INFO: "提示"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def cell_order(address: str) -> tuple[int, int, str]:
    """Reading order of an A1 address: row first, then column ("B9" before "B31" before "C9")."""
    parsed = a1.parse(address)
    return (parsed[0], parsed[1], "") if parsed is not None else (0, 0, address)


class Finding(BaseModel):
    model_config = ConfigDict(frozen=True)
    code: str = Field(description="stable rule code, e.g. BD-001")
    severity: Severity
    sheet: str = Field(description="official sheet name, e.g. 附件1-1 基础数据表")
    cell: str = Field(description="A1 address of the cell concerned")
    message: str = Field(description="Chinese message showing the values used")
    stated: str | None = Field(default=None, description="the value as stated in the table (display text)")
    computed: str | None = Field(default=None, description="the value the engine computes (display text)")
    quote: str | None = Field(default=None, description="report checks only: the 自评报告's sentence concerned")

    @property
    def key(self) -> tuple[str, str, str]:
        """Identity across runs: an explanation typed for a finding follows (code, sheet, cell)."""
        return (self.code, self.sheet, self.cell)


class FindingReport(BaseModel):
    findings: list[Finding] = Field(default_factory=list)

    def sorted(self) -> FindingReport:
        return FindingReport(
            findings=sorted(self.findings,
                            key=lambda f: (SEVERITY_ORDER[f.severity], f.sheet, f.code, cell_order(f.cell)))
        )

    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return any(f.severity == Severity.ERROR for f in self.findings)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def to_json_dict(self) -> dict[str, object]:
        return {
            "findings": [
                {"code": f.code, "severity": f.severity.value, "sheet": f.sheet, "cell": f.cell,
                 "message": f.message, "stated": f.stated, "computed": f.computed,
                 **({"quote": f.quote} if f.quote is not None else {})}
                for f in self.findings
            ],
            "summary": self.summary(),
        }
