"""Scoring profiles (评分口径): named sets of :class:`~perfeval.config.Config` values, shipped as data.

A profile is a JSON file::

    {"name": "sichuan-2023", "title": "四川2023年口径", "description": "……", "source": "……",
     "settings": {"funds_weight": 10, "level1_weights": {}, "execution_reason_below": 0.9}}

``settings`` holds keys of :class:`~perfeval.config.Config` (the scoring ones: ``funds_weight``,
``level1_weights``, ``execution_score_cap`` — ``null`` leaves the execution score uncapped —,
``qualitative_bands``, ``over_achievement_ratio``, ``execution_reason_below``, ``total_caps``, ``grade_bands`` …);
what a profile leaves out keeps the default of ``Config``. The shipped profiles live in
``perfeval/profile_data/`` (package data); a user may name a file of their own instead.

The configuration of a run is built in this order: the defaults of ``Config``, the profile's settings, then a
``--config`` file's keys on top (:func:`config_for`). The profile's name and title are recorded in the
configuration (``Config.profile`` / ``profile_title``): 计算结果 shows them (``calc.profile``) and the 定稿
records them.

How the shipped profiles express their weights (ZP-008 checks Σ三级分值 of each 一级 against the value printed in
its label, or, without one, against ``level1_weights``; ZP-009 checks Σ三级分值 + 执行率分值 = 100):

* ``mof-2020``: 执行率 10 · 产出 50 · 效益 30 · 满意度 10 — every 一级 has its weight.
* ``hb-20-40-40``: 预算执行 20 · 产出 40; 效益 + 满意度 share 40, a sum ZP-008 cannot check one 一级 at a time,
  so only 产出 is listed and the shared 40 follows from ZP-009 (100 − 20 − 40).
* ``sichuan-2023``: 执行情况 10 · 绩效指标 90, no weight per 一级 (``level1_weights`` empty); the 90 follows from
  ZP-009 (100 − 10).

Errors are :class:`ProfileError` (a :class:`~perfeval.config.ConfigError`, so the command line exits 2), whose
``str()`` is a Chinese message naming the file and the key.
"""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from perfeval.config import DEFAULT_CONFIG, Config, ConfigError, json_object, load_config, profile_label

__all__ = [
    "DEFAULT_PROFILE",
    "Profile",
    "ProfileError",
    "config_for",
    "list_profiles",
    "load_profile",
    "profile_label",
    "profile_summary",
    "shipped_names",
]

DEFAULT_PROFILE: Final = "mof-2020"
PROFILE_DIR: Final = "profile_data"
#: keys a profile names itself by; its ``settings`` cannot set them
RESERVED_SETTINGS: Final = frozenset({"profile", "profile_title"})
_NAME = re.compile(r"^[\w.-]{1,64}$")
_WHAT = "评分口径文件"
_STANDARD_LEVEL1: Final = ("产出指标", "效益指标", "满意度指标")


class ProfileError(ConfigError):
    """A profile that cannot be used; ``str()`` is a Chinese message naming the file (or name) and the key."""


class Profile(BaseModel):
    """One scoring profile: Chinese title and description, its source, and the ``Config`` keys it sets."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(description="short name used on the command line, e.g. mof-2020")
    title: str = Field(min_length=1, description="Chinese title, shown in 计算结果")
    description: str = Field(default="", description="Chinese description: what the profile changes and why")
    source: str = Field(default="", description="where the numbers come from (document, site; [I] = inference)")
    settings: dict[str, Any] = Field(default_factory=dict, description="Config keys and values")

    @field_validator("name")
    @classmethod
    def _name_is_a_word(cls, name: str) -> str:
        if not _NAME.match(name):
            raise ValueError(f"名称只能由字母、数字、“-”“_”“.”组成（1–64 个字符，不含空格），文件中是“{name}”")
        return name

    def config(self) -> Config:
        """The defaults of ``Config`` with this profile's settings (validated when the profile is loaded)."""
        return Config.model_validate({**DEFAULT_CONFIG.model_dump(), **self.settings,
                                      "profile": self.name, "profile_title": self.title})


# --------------------------------------------------------------------------- loading


def _parse(text: str, label: str) -> Profile:
    """A profile from its JSON text; ``label`` names it in messages (``评分口径文件 x.json``)."""
    data = json_object(text, label, "评分口径",
                       '{"name": "my-2024", "title": "本地口径", "settings": {"execution_reason_below": 0.9}}',
                       ProfileError)
    unknown = sorted(str(k) for k in data if k not in Profile.model_fields)
    if unknown:
        raise ProfileError(f"{label} 中有未知的项：{'、'.join(unknown)}"
                           f"（可用的项：{'、'.join(Profile.model_fields)}；口径数值写在 settings 中）")
    settings = data.get("settings", {})
    if isinstance(settings, dict):
        reserved = sorted(str(k) for k in settings if k in RESERVED_SETTINGS)
        if reserved:
            raise ProfileError(f"{label} 中 settings.{reserved[0]} 不能设置：评分口径的名称和标题写在 name 和 title 中")
        unknown = sorted(str(k) for k in settings if k not in Config.model_fields)
        if unknown:
            keys = "、".join(f"settings.{k}" for k in unknown)
            usable = "、".join(k for k in Config.model_fields if k not in RESERVED_SETTINGS)
            raise ProfileError(f"{label} 中有未知的配置项：{keys}（可用的配置项：{usable}；见 perfeval/config.py）")
    try:
        profile = Profile.model_validate(data)
        profile.config()  # the settings must make a valid configuration
    except ValidationError as exc:
        from perfeval.validation_zh import describe_all

        errors = exc.errors()
        if exc.title == Config.__name__:  # the settings: name the key as written in the file
            errors = [{**e, "loc": ("settings", *e["loc"])} for e in errors]
        text = describe_all(errors, limit=10, unknown_key="未知的配置项（拼写错误？）")
        raise ProfileError(f"{label} 中的值不符合要求：\n{text}") from exc
    return profile


def shipped_names() -> list[str]:
    """Names of the profiles shipped in ``perfeval/profile_data/``, the default first."""
    folder = resources.files("perfeval").joinpath(PROFILE_DIR)
    names = sorted(entry.name.removesuffix(".json") for entry in folder.iterdir() if entry.name.endswith(".json"))
    return sorted(names, key=lambda n: n != DEFAULT_PROFILE)


def _shipped(name: str) -> Profile:
    text = resources.files("perfeval").joinpath(PROFILE_DIR, f"{name}.json").read_text(encoding="utf-8")
    profile = _parse(text, f"内置评分口径 {name}")
    if profile.name != name:  # a packaging slip, caught by the tests
        raise ProfileError(f"内置评分口径 {name} 的 name 写成了“{profile.name}”")
    return profile


def list_profiles() -> list[Profile]:
    """Every shipped profile, the default (``mof-2020``) first."""
    return [_shipped(name) for name in shipped_names()]


def load_profile(name_or_path: str | Path | None) -> Profile:
    """A shipped profile by name, or a profile file (``.json``) of the user's; None → the default.

    A user's file may not take the name of a shipped profile unless it is that profile unchanged: the name is
    what 计算结果 and the 定稿 record, so it must mean one set of numbers.
    """
    if name_or_path is None:
        return _shipped(DEFAULT_PROFILE)
    text = str(name_or_path).strip()
    names = shipped_names()
    if not text:
        raise ProfileError(f"未给出评分口径（内置口径：{'、'.join(names)}；或给出评分口径文件 .json 的路径）")
    if text in names:
        return _shipped(text)
    path = Path(text)
    if path.suffix.lower() != ".json" and not path.exists():
        raise ProfileError(f"未知的评分口径：{text}（内置口径：{'、'.join(names)}；"
                           "或给出评分口径文件 .json 的路径；perfeval profiles 列出全部口径）")
    from perfeval.limits import read_json_text

    profile = _parse(read_json_text(path, _WHAT, ProfileError), f"{_WHAT} {path.name}")
    if profile.name in names and profile != _shipped(profile.name):
        raise ProfileError(f"{_WHAT} {path.name} 的 name “{profile.name}”与内置评分口径重名，但数值不同；"
                           "请另取名称（name），以免定稿中记录的口径名称与实际数值不符")
    return profile


def config_for(profile: Profile, overrides_path: str | Path | None = None) -> Config:
    """The configuration of a run: the profile's values, then the keys of a ``--config`` file on top.

    A ``--config`` file that changes anything is noted in the title shown and recorded (``profile_title``), so
    that 计算结果 and the 定稿 do not claim the profile's numbers unchanged. Raises :class:`ConfigError` for a
    bad configuration file (also one that tries to set ``profile`` / ``profile_title``).
    """
    base = profile.config()
    if overrides_path is None:
        return base
    path = Path(overrides_path)
    config = load_config(path, base=base)
    changed = config.model_dump() != base.model_dump()
    if config.profile != base.profile or config.profile_title != base.profile_title:
        raise ConfigError(f"配置文件 {path.name} 中不能设置 profile 或 profile_title：评分口径请用 --profile 指定")
    if changed:
        config = config.model_copy(update={"profile_title": f"{base.profile_title}（另按配置文件 {path.name} 调整）"})
    return config


# --------------------------------------------------------------------------- describing


def _pct(ratio: Decimal) -> str:
    from perfeval.indicators import format_decimal

    return f"{format_decimal((ratio * 100).normalize())}%"


def _num(value: Decimal) -> str:
    from perfeval.indicators import format_decimal

    return format_decimal(value.normalize())


def profile_summary(config: Config) -> dict[str, str]:
    """The key numbers of a configuration in Chinese, for ``perfeval profiles`` (label → text)."""
    weights = "、".join(f"{name} {_num(w)}" for name, w in config.level1_weights.items())
    if weights and not set(_STANDARD_LEVEL1) <= set(config.level1_weights):
        weights += "（其余一级指标不分别规定）"
    achieved, partial = config.qualitative_bands
    cap = config.execution_score_cap
    if cap is None:
        execution = "不封顶（分值 × 执行率）"
    elif cap == 1:
        execution = "封顶于分值（执行率按不超过 100% 计）"
    else:
        execution = f"执行率按不超过 {_pct(cap)} 计"
    totals = "；".join(f"执行率低于 {_pct(c.rate_below)} 时总分不超过 {_num(c.max_total)}"
                      for c in sorted(config.total_caps, key=lambda c: c.rate_below, reverse=True))
    return {
        "执行率分值": _num(config.funds_weight),
        "一级权重": weights or "不分别规定（只检查合计 100）",
        "定性档次": f"达成 ≥ {_pct(achieved)}，部分达成 ≥ {_pct(partial)}",
        "执行率得分": execution,
        "总分封顶": totals or "无",
        "偏差原因阈值": f"执行率低于 {_pct(config.execution_reason_below)}，或完成比例达到 "
                        f"{_pct(config.over_achievement_ratio)} 及以上时须说明",
    }
