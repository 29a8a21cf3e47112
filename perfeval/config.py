"""Configuration: every threshold and local variant, with documented defaults.

Items marked [I] in ``shared/domain/rules.md`` are inferences; they live here so that a locality can change
them without touching code. Load overrides from JSON with :func:`load_config`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class GradeBand(BaseModel):
    """A grade and the lowest 总分 (inclusive) that earns it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    grade: str
    min_score: Decimal


class TotalCap(BaseModel):
    """A ceiling on the 总分 by execution rate: 执行率 below ``rate_below`` (exclusive) → 总分 at most
    ``max_total``. Several caps form a ladder; the lowest ceiling among those that apply wins."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    rate_below: Decimal = Field(gt=0, description="执行率 (fraction) below which the ceiling applies")
    max_total: Decimal = Field(ge=0, description="highest 总分 allowed then")


class Config(BaseModel):
    """Thresholds and variants. Rates are fractions (0.3 = 30%). Unknown keys are rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- rounding / tolerance (rules.md §4 preamble) ---
    amount_tolerance: Decimal = Field(default=Decimal("0.01"), description="amounts compare at 0.01 万元")
    rate_display_decimals: int = Field(
        default=2, description="rates compare at this many decimals of a percentage (2 → 105.26%)"
    )
    score_tolerance: Decimal = Field(default=Decimal("0.01"), description="scores compare at 0.01 分")

    # --- scoring (rules.md §2) ---
    funds_weight: Decimal = Field(default=Decimal("10"), description="分值 of the 年度资金总额 (预算执行率) row")
    level1_weights: dict[str, Decimal] = Field(
        default_factory=lambda: {
            "产出指标": Decimal("50"),
            "效益指标": Decimal("30"),
            "满意度指标": Decimal("10"),
        },
        description="default 一级 weights [S2-m]; the template label carries the declared value",
    )
    execution_score_cap: Decimal | None = Field(
        default=Decimal("1"), gt=0,
        description="得分 = 分值 × min(执行率, cap) (F7s, [I]); null = uncapped (分值 × 执行率)",
    )
    over_achievement_ratio: Decimal = Field(
        default=Decimal("1.2"), description="B/A (正向) or A/B (反向) at or above this needs 偏差原因 (ZP-015, [I])"
    )
    qualitative_bands: tuple[Decimal, Decimal] = Field(
        default=(Decimal("0.8"), Decimal("0.6")),
        description="达成 ≥ first, 部分达成 ≥ second, else 未达成 (§2.3)",
    )
    grade_bands: tuple[GradeBand, ...] = Field(
        default=(
            GradeBand(grade="优", min_score=Decimal("90")),
            GradeBand(grade="良", min_score=Decimal("80")),
            GradeBand(grade="中", min_score=Decimal("60")),
            GradeBand(grade="差", min_score=Decimal("0")),
        ),
        description="优 90–100, 良 80–89, 中 60–79, 差 <60 (§2.5)",
    )
    total_caps: tuple[TotalCap, ...] = Field(
        default=(),
        description="总分 ceilings by 执行率 (a locality's rule, wave2 §2); empty = none. Applied to calc.capped_total",
    )
    reverse_keywords: tuple[str, ...] = Field(
        default=("成本", "时长", "投诉", "事故", "费用", "控制数"),
        description="三级指标 names with these words are 反向 when the target has no comparator",
    )

    # --- review thresholds (rules.md §4) ---
    execution_reason_below: Decimal = Field(
        default=Decimal("1"), description="执行率 below this needs 偏差原因 (ZP-006; Sichuan style uses 0.9)"
    )
    adjustment_warning_above: Decimal = Field(
        default=Decimal("0.3"), description="(全年预算 − 年初)/年初 above this needs explanation (ZP-007, F8h band)"
    )
    public_funds_low_rate: Decimal = Field(
        default=Decimal("0.6"), description="公用经费控制率 below this is informational (BD-009)"
    )
    project_name_similarity: Decimal = Field(
        default=Decimal("0.8"),
        description="X-005: two project names at least this alike (rapidfuzz ratio after normalising brackets, "
                    "width and spaces) are reported as probably the same project",
    )
    no_building_full_marks: bool = Field(
        default=True, description="没有楼堂馆所项目 ⇒ full marks (S6); a score rule, never a 100% rate"
    )

    # --- scoring profile (perfeval/profiles.py) ---
    profile: str = Field(default="mof-2020", description="name of the scoring profile these values come from")
    profile_title: str = Field(default="财政部2020年通用口径", description="its Chinese title, shown in 计算结果")

    # --- export ---
    export_password: str = Field(
        default="perfeval", description="sheet/workbook protection password (protection is not security)"
    )

    @field_validator("qualitative_bands")
    @classmethod
    def _bands_in_order(cls, bands: tuple[Decimal, Decimal]) -> tuple[Decimal, Decimal]:
        achieved, partial = bands
        if not Decimal(0) <= partial <= achieved <= Decimal(1):
            raise ValueError(f"两个档次界限须满足 1 ≥ 达成 ≥ 部分达成 ≥ 0（如 [0.8, 0.6]），"
                             f"文件中是 [{achieved}, {partial}]")
        return bands


DEFAULT_CONFIG = Config()


class ConfigError(ValueError):
    """A configuration file that cannot be used; ``str()`` is a Chinese message naming the file and key."""


#: key of the ``_perfeval`` metadata row that records the configuration a workbook was computed with
CONFIG_META_KEY = "config"


def config_record(config: Config) -> str:
    """The configuration as a workbook records it (compact JSON; the export password is not recorded)."""
    return config.model_copy(update={"export_password": DEFAULT_CONFIG.export_password}).model_dump_json()


def profile_label(config: Config) -> str:
    """What 计算结果 shows as 评分口径: title and name, e.g. ``财政部2020年通用口径（mof-2020）`` (here rather than in
    :mod:`perfeval.profiles` so that reading a workbook does not load the profile machinery)."""
    return f"{config.profile_title}（{config.profile}）"


def recorded_config(rows: Iterable[Sequence[object]]) -> Config | None:
    """The configuration recorded in a workbook's ``_perfeval`` rows (key, value), or None when there is none or it
    cannot be used (a hand-edited record): the commands then use the defaults, as for a workbook from elsewhere."""
    for row in rows:
        if len(row) >= 2 and row[0] == CONFIG_META_KEY and isinstance(row[1], str):
            try:
                return Config.model_validate_json(row[1])
            except ValidationError:
                return None
    return None


def json_object(text: str, label: str, what: str, example: str, error: type[ValueError]) -> dict[str, Any]:
    """A JSON object (numbers as Decimal) from a configuration-like file, or ``error`` with a Chinese message
    naming ``label`` (e.g. "配置文件 x.json") and showing ``example`` of what ``what`` should look like."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise error(f"{label} 不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列附近有格式错误"
                    "（键名须加英文双引号，最后一项后不能有逗号）") from exc
    except RecursionError as exc:
        raise error(f"{label} 嵌套过深，不是有效的{what}") from exc
    if not isinstance(data, dict):
        raise error(f"{label} 的内容须为 JSON 对象，例如 {example}")
    return data


def load_config(path: str | Path | None, base: Config = DEFAULT_CONFIG) -> Config:
    """``base`` (the defaults, or a scoring profile's values), overridden by the keys of a JSON file when ``path``
    is given.

    Raises :class:`ConfigError` (Chinese, naming the key) for a missing or unreadable file, bad JSON, a
    value of the wrong type or an unknown key.
    """
    if path is None:
        return base
    from perfeval.limits import read_json_text

    path = Path(path)
    text = read_json_text(path, "配置文件", ConfigError)
    data = json_object(text, f"配置文件 {path.name}", "配置", '{"over_achievement_ratio": 1.3}', ConfigError)
    unknown = sorted(k for k in data if k not in Config.model_fields)
    if unknown:
        raise ConfigError(f"配置文件 {path.name} 中有未知的配置项：{'、'.join(unknown)}"
                          f"（可用的配置项：{'、'.join(Config.model_fields)}；见 perfeval/config.py）")
    try:
        return Config.model_validate({**base.model_dump(), **data})
    except ValidationError as exc:
        from perfeval.validation_zh import describe_all

        text = describe_all(exc.errors(), limit=10, unknown_key="未知的配置项（拼写错误？）")
        raise ConfigError(f"配置文件 {path.name} 中的值不符合要求：\n{text}") from exc
