"""``--config``: a missing file, bad JSON, a wrong type or an unknown key exits 2 with a Chinese message
naming the file and the key; the defaults are unchanged."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from support.cli import ENGLISH, run_cli

from perfeval.config import DEFAULT_CONFIG, Config, ConfigError, GradeBand, load_config


@pytest.mark.parametrize(("text", "words"), [
    ("{", ("不是有效的 JSON", "第 1 行第 2 列")),
    ('{"over_achievement_ratio": 1.2,}', ("不是有效的 JSON",)),
    ("[1, 2]", ("须为 JSON 对象",)),
    ('"text"', ("须为 JSON 对象",)),
    ('{"over_achievement_ratoi": 1.3}', ("未知的配置项", "over_achievement_ratoi", "over_achievement_ratio")),
    ('{"amount_tolerance": "abc"}', ("amount_tolerance", "应为数字", '"abc"')),
    ('{"rate_display_decimals": 1.5}', ("rate_display_decimals", "应为整数", "1.5")),
    ('{"no_building_full_marks": "maybe"}', ("no_building_full_marks", "true 或 false")),
    ('{"export_password": 5}', ("export_password", "应为文本")),
    ('{"reverse_keywords": "成本"}', ("reverse_keywords", "应为列表")),
    ('{"level1_weights": {"产出指标": "很多"}}', ("level1_weights.产出指标", "应为数字")),
    ('{"grade_bands": [{"grade": "优"}]}', ("grade_bands[0].min_score", "缺少必填的值")),
    ('{"grade_bands": [{"grade": "优", "min_score": 90, "colour": "red"}]}', ("grade_bands[0].colour", "未知的配置项")),
    ('{"over_achievement_ratio": NaN}', ("over_achievement_ratio", "有限的数字")),
])
def test_bad_config_exits_2_naming_the_problem(text: str, words: tuple[str, ...], tmp_path: Path,
                                               seed_xlsx: Path) -> None:
    conf = tmp_path / "配置.json"
    conf.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(conf)
    for word in words:
        assert word in str(info.value), str(info.value)
    r = run_cli("validate", str(seed_xlsx), "--config", str(conf))
    assert r.returncode == 2 and r.stderr.startswith("错误：配置文件") and "配置.json" in r.stderr
    assert not ENGLISH.search(r.stderr), r.stderr


def test_missing_unreadable_or_folder_config(tmp_path: Path, seed_xlsx: Path) -> None:
    for path, words in ((tmp_path / "nope.json", "找不到配置文件"), (tmp_path, "是一个文件夹")):
        r = run_cli("validate", str(seed_xlsx), "--config", str(path))
        assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes('{"grade_bands": [{"grade": "优秀", "min_score": 90}]}'.encode("gbk"))
    r = run_cli("validate", str(seed_xlsx), "--config", str(gbk))
    assert r.returncode == 2 and "不是 UTF-8 编码" in r.stderr


def test_good_config_is_applied_and_a_bom_is_fine(tmp_path: Path) -> None:
    conf = tmp_path / "c.json"
    conf.write_bytes('\ufeff{"over_achievement_ratio": 1.3, "grade_bands": [{"grade": "优", "min_score": 95}]}'
                     .encode("utf-8"))
    config = load_config(conf)
    assert config.over_achievement_ratio == Decimal("1.3")
    assert config.grade_bands == (GradeBand(grade="优", min_score=Decimal("95")),)
    assert config.amount_tolerance == DEFAULT_CONFIG.amount_tolerance  # everything else stays default
    empty = tmp_path / "empty.json"
    empty.write_text("{}", encoding="utf-8")
    assert load_config(empty) == DEFAULT_CONFIG
    assert load_config(None) is DEFAULT_CONFIG


def test_defaults_unchanged() -> None:
    # the documented defaults (rules.md §2, §4 and the README), written out by hand
    c = Config()
    assert (c.amount_tolerance, c.rate_display_decimals, c.score_tolerance) == (Decimal("0.01"), 2, Decimal("0.01"))
    assert c.funds_weight == Decimal("10")
    assert c.level1_weights == {"产出指标": Decimal("50"), "效益指标": Decimal("30"), "满意度指标": Decimal("10")}
    assert (c.execution_score_cap, c.over_achievement_ratio) == (Decimal("1"), Decimal("1.2"))
    assert c.qualitative_bands == (Decimal("0.8"), Decimal("0.6"))
    assert [(b.grade, b.min_score) for b in c.grade_bands] == [("优", 90), ("良", 80), ("中", 60), ("差", 0)]
    assert c.reverse_keywords == ("成本", "时长", "投诉", "事故", "费用", "控制数")
    assert (c.execution_reason_below, c.adjustment_warning_above, c.public_funds_low_rate) == (
        Decimal("1"), Decimal("0.3"), Decimal("0.6"))
    assert c.no_building_full_marks is True and c.export_password == "perfeval"


def test_unknown_keys_are_rejected_by_the_model_too() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Config.model_validate({"typo": 1})
    with pytest.raises(ValidationError):
        GradeBand.model_validate({"grade": "优", "min_score": 90, "typo": 1})
