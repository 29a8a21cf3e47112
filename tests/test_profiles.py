"""Scoring profiles (评分口径, perfeval/profiles.py): the shipped ones at their edges, a user's own file, switching
profile on one report, bad profile files, ``perfeval profiles`` and ``--profile`` on fill/compute/validate/export.

Every expected number is worked out by hand in the comment next to it, from shared/domain/wave2.md §2 (the
variants), rules.md §1 F7/F7s, §2.3 (bands), §2.5 (grades) and §4 (rates compare as shown, 2 decimals of a
percentage; scores 0.01 half-up). The corrected seed (examples/huaihua-2023-corrected.json) has 三级 rows scoring
20 + 10 + 10 + 10 + 13 + 15 + 10 = 88 and a 年度资金总额 row of 分值 10 at 781.06 / 781.06, so 总分 98.
"""

from __future__ import annotations

import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from support.cli import ENGLISH, ROOT, run_cli

from perfeval.compute import execution_score
from perfeval.config import DEFAULT_CONFIG, Config, ConfigError, TotalCap, load_config
from perfeval.findings import Finding
from perfeval.forms.department.compute import compute
from perfeval.forms.department.layout import layout_for
from perfeval.forms.department.model import Report
from perfeval.paths import set_path
from perfeval.profiles import (
    Profile,
    ProfileError,
    config_for,
    list_profiles,
    load_profile,
    profile_label,
    shipped_names,
)
from perfeval.rules import run_rules
from perfeval.scoring import QualitativeBand, capped_total, qualitative_band
from perfeval.sheets import CALC_SHEET, EXPORT_SHEET, SUMMARY_SHEET
from perfeval.xlsx.export import read_export_meta
from tests.conftest import EXAMPLES, load_example

D = Decimal
FUNDS = "self_eval.funds"
SOCIAL_ROW = "self_eval.indicators[1].secondaries[1].rows[0]"  # 及时调解… 效果明显, 分值 15, 得分 13
SHIPPED = ("mof-2020", "hb-20-40-40", "sichuan-2023")


def cfg(name: str) -> Config:
    return config_for(load_profile(name))


def corrected(**paths: Any) -> Report:
    report = load_example("huaihua-2023-corrected.json")
    for path, value in paths.items():
        set_path(report, path.replace("__", "."), value)
    return report


def funds(executed: str, budget: str = "100.00", weight: str = "10") -> Report:
    """The corrected seed with the 年度资金总额 row replaced; its stated 执行率 / 得分 / 总分 left to the formulas."""
    return corrected(self_eval__funds__executed=D(executed), self_eval__funds__full_year_budget=D(budget),
                     self_eval__funds__weight=D(weight), self_eval__funds__execution_rate_stated=None,
                     self_eval__funds__score_stated=None, self_eval__total_score_stated=None,
                     self_eval__total_weight_stated=None)


def found(report: Report, code: str, config: Config) -> list[Finding]:
    return [f for f in run_rules(report, config=config).findings if f.code == code]


def write_profile(folder: Path, name: str = "test-caps", file: str | None = None, **settings: Any) -> Path:
    path = folder / (file or f"{name}.json")
    path.write_text(json.dumps({"name": name, "title": "测试口径", "description": "只用于测试", "source": "测试",
                                "settings": settings}, ensure_ascii=False), encoding="utf-8")
    return path


#: a user's profile with what no shipped profile has: the execution score uncapped, and the 总分 ladder of the
#: 一体化 manual in wave2 §2 with only its two rungs stated there (70–80 % → ≤ 89 … < 50 % → ≤ 59)
CAPS = [{"rate_below": 0.8, "max_total": 89}, {"rate_below": 0.5, "max_total": 59}]


@pytest.fixture
def caps_profile(tmp_path: Path) -> Path:
    return write_profile(tmp_path, execution_score_cap=None, total_caps=CAPS)


# --------------------------------------------------------------------------- the shipped profiles


def test_shipped_profiles_are_the_three_of_the_issue_default_first() -> None:
    assert shipped_names() == list(SHIPPED)
    assert [p.name for p in list_profiles()] == list(SHIPPED)
    assert (ROOT / "perfeval" / "profile_data").is_dir()
    assert sorted(p.stem for p in (ROOT / "perfeval" / "profile_data").glob("*.json")) == sorted(SHIPPED)
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["perfeval"]
    assert "profile_data/*.json" in package_data  # shipped in the wheel, read with importlib.resources
    for p in list_profiles():
        assert p.title and p.description and p.source  # a Chinese title, what it changes and where it comes from


def test_mof_2020_is_the_default_configuration() -> None:
    c = cfg("mof-2020")
    assert c == DEFAULT_CONFIG and load_profile(None).name == "mof-2020"
    # 执行率 10 / 产出 50 / 效益 30 / 满意度 10; bands 80 % / 60 %; execution score capped at its 分值
    assert c.funds_weight == 10
    assert c.level1_weights == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert c.qualitative_bands == (D("0.8"), D("0.6"))
    assert c.execution_score_cap == 1 and c.total_caps == ()
    assert c.execution_reason_below == 1 and c.over_achievement_ratio == D("1.2")


def test_the_20_40_40_variant() -> None:
    c = cfg("hb-20-40-40")
    # 预算执行 20 / 产出 40 / 效益+满意度 40 (their split is free: only 产出 has a weight of its own)
    assert c.funds_weight == 20 and c.level1_weights == {"产出指标": 40}
    assert c.qualitative_bands == (D("0.8"), D("0.5"))
    assert c.execution_score_cap == 1  # "no bonus points"
    assert "尚未确认" in load_profile("hb-20-40-40").description  # the province is unresolved (wave2 §2)


def test_the_sichuan_variant() -> None:
    c = cfg("sichuan-2023")
    # 执行情况 10 / 绩效指标 90 (no weight per 一级); below 90 % needs a reason; an adjustment needs a word
    assert c.funds_weight == 10 and c.level1_weights == {}
    assert c.execution_reason_below == D("0.9") and c.adjustment_warning_above == 0
    assert "调整后预算数" in load_profile("sichuan-2023").description


# --------------------------------------------------------------------------- execution score: cap at the edge


@pytest.mark.parametrize(("profile", "executed", "weight", "expected"), [
    ("mof-2020", "99.00", "10", "9.90"),  # 10 × 0.99
    ("mof-2020", "100.00", "10", "10.00"),  # 10 × 1
    ("mof-2020", "110.00", "10", "10.00"),  # 10 × min(1.10, 1) (uncapped: 11)
    ("hb-20-40-40", "95.00", "20", "19.00"),  # 20 × 0.95
    ("hb-20-40-40", "100.00", "20", "20.00"),  # 20 × 1
    ("hb-20-40-40", "110.00", "20", "20.00"),  # 20 × min(1.10, 1) (uncapped: 22)
    ("sichuan-2023", "89.99", "10", "9.00"),  # 10 × 0.8999 = 8.999 → 9.00 half-up
    ("sichuan-2023", "110.00", "10", "10.00"),  # capped
])
def test_execution_score_of_each_shipped_profile(profile: str, executed: str, weight: str, expected: str) -> None:
    assert execution_score(D(executed), D("100.00"), D(weight), cfg(profile)) == D(expected)


@pytest.mark.parametrize(("executed", "weight", "expected"), [
    ("100.00", "10", "10.00"),  # 10 × 1.00
    ("110.00", "10", "11.00"),  # 10 × 1.10: no cap
    ("110.00", "20", "22.00"),  # 20 × 1.10
    ("99.99", "10", "10.00"),  # 10 × 0.9999 = 9.999 → 10.00 half-up
])
def test_an_uncapped_profile(caps_profile: Path, executed: str, weight: str, expected: str) -> None:
    c = config_for(load_profile(caps_profile))
    assert c.execution_score_cap is None
    assert execution_score(D(executed), D("100.00"), D(weight), c) == D(expected)


def test_the_20_point_execution_row_in_a_report() -> None:
    # 分值 20 at 110.00 / 100.00: 20 capped; the 三级 rows keep their 88, so Σ = 108 (ZP-009 says the weights
    # are off for this report, but the computation is what is checked here)
    computed = compute(funds("110.00", weight="20"), cfg("hb-20-40-40"))
    assert computed[f"{FUNDS}.score_stated"] == D("20.00")
    assert computed["self_eval.total_score_stated"] == D("108.00")


# --------------------------------------------------------------------------- qualitative bands at the edge


@pytest.mark.parametrize(("profile", "score", "band"), [
    ("mof-2020", "8", QualitativeBand.ACHIEVED),  # 8/10 = 80 %: 达成 (含80%)
    ("mof-2020", "7.99", QualitativeBand.PARTIAL),  # 79.9 %
    ("mof-2020", "6", QualitativeBand.PARTIAL),  # 60 %: 部分达成 (含60%)
    ("mof-2020", "5.99", QualitativeBand.NOT_ACHIEVED),
    ("mof-2020", "5", QualitativeBand.NOT_ACHIEVED),  # 50 % is below 60 %
    ("hb-20-40-40", "8", QualitativeBand.ACHIEVED),  # 80 %
    ("hb-20-40-40", "7.99", QualitativeBand.PARTIAL),
    ("hb-20-40-40", "5", QualitativeBand.PARTIAL),  # 50 %: 部分达成 in this variant
    ("hb-20-40-40", "4.99", QualitativeBand.NOT_ACHIEVED),  # 49.9 %
    ("sichuan-2023", "6", QualitativeBand.PARTIAL),  # the MOF bands
    ("sichuan-2023", "5.99", QualitativeBand.NOT_ACHIEVED),
])
def test_qualitative_band_edges(profile: str, score: str, band: QualitativeBand) -> None:
    assert qualitative_band(D(score), D(10), cfg(profile)) is band


@pytest.mark.parametrize(("score", "mof_flags", "hb_flags"), [
    ("7.5", True, False),  # 7.5/15 = 50 %: 未达成 under MOF (< 60 %), 部分达成 under 80/50 — wording "基本完成"
    ("7.49", True, True),  # 49.93 %: 未达成 under both
    ("9", False, False),  # 60 %: 部分达成 under both
])
def test_zp016_wording_against_the_profile_bands(score: str, mof_flags: bool, hb_flags: bool) -> None:
    report = corrected(**{f"{SOCIAL_ROW}.score".replace(".", "__"): D(score),
                          f"{SOCIAL_ROW}.actual".replace(".", "__"): "基本完成"})
    assert bool(found(report, "ZP-016", cfg("mof-2020"))) is mof_flags
    assert bool(found(report, "ZP-016", cfg("hb-20-40-40"))) is hb_flags


# --------------------------------------------------------------------------- when a reason is required


@pytest.mark.parametrize(("executed", "mof", "sichuan"), [
    ("89.99", True, True),  # 89.99 % < 90 % (and < 100 %)
    ("90.00", True, False),  # 90.00 %: at the Sichuan edge no reason is needed; MOF still wants one (< 100 %)
    ("99.99", True, False),
    ("100.00", False, False),
])
def test_zp006_reason_threshold(executed: str, mof: bool, sichuan: bool) -> None:
    report = funds(executed)
    assert bool(found(report, "ZP-006", cfg("mof-2020"))) is mof
    assert bool(found(report, "ZP-006", cfg("sichuan-2023"))) is sichuan


def test_zp007_any_increase_is_flagged_in_sichuan() -> None:
    # 全年预算 781.06 over 年初 620.00: (781.06 − 620) / 620 = 25.98 % — under the MOF 30 %, above the Sichuan 0
    report = corrected()
    assert not found(report, "ZP-007", cfg("mof-2020"))
    assert [f.computed for f in found(report, "ZP-007", cfg("sichuan-2023"))] == ["25.98%"]


def test_zp008_uses_the_profile_weights_only_where_the_label_has_none() -> None:
    # labels without （50分）: the 一级 weights come from the profile. 产出 rows sum to 20+10+10+10 = 50,
    # 效益 to 15+15 = 30, 满意度 to 10
    report = corrected()
    for l1 in report.self_eval.indicators:
        l1.weight = None
    assert not found(report, "ZP-008", cfg("mof-2020"))  # 50 / 30 / 10 as declared
    (finding,) = found(report, "ZP-008", cfg("hb-20-40-40"))  # 产出 50 ≠ 40, the only 一级 with a weight
    assert finding.message.startswith("产出指标") and "20 + 10 + 10 + 10 = 50" in finding.message
    assert "标注的40分" in finding.message
    assert not found(report, "ZP-008", cfg("sichuan-2023"))  # no weight per 一级: nothing to compare
    assert not found(report, "ZP-009", cfg("sichuan-2023"))  # Σ 三级 90 + 执行 10 = 100: the 绩效指标 total


# --------------------------------------------------------------------------- total caps (a user's profile)


@pytest.mark.parametrize(("total", "rate", "expected"), [
    ("98", "0.8", "98.00"),  # 80 % is not below 80 %: no ceiling
    ("98", "0.7999", "89.00"),  # 79.99 % → ≤ 89
    ("85", "0.7", "85.00"),  # under the ceiling anyway
    ("98", "0.5", "89.00"),  # 50 % is not below 50 %: only the 80 % rung
    ("98", "0.4999", "59.00"),  # both rungs apply, the lower ceiling wins
    ("98", "0.79995", "98.00"),  # shown 80.00 % (half-up at 2 decimals of a percentage): not below 80 %
    ("98", None, "98.00"),  # rate unknown (budget 0): no ceiling can be decided
])
def test_capped_total_edges(total: str, rate: str | None, expected: str) -> None:
    c = Config(total_caps=(TotalCap(rate_below=D("0.8"), max_total=D(89)),
                           TotalCap(rate_below=D("0.5"), max_total=D(59))))
    assert capped_total(D(total), None if rate is None else D(rate), c) == D(expected)


def test_no_caps_means_no_capped_total() -> None:
    assert capped_total(D(98), D("0.1"), DEFAULT_CONFIG) is None
    computed = compute(corrected())
    assert computed["calc.capped_total"] is None and computed["calc.capped_grade"] is None


@pytest.mark.parametrize(("executed", "funds_score", "total", "capped", "grade"), [
    ("80.00", "8.00", "96.00", "96.00", "优"),  # 10 × 0.80; 88 + 8 = 96; 80 % not below 80 %
    ("79.99", "8.00", "96.00", "89.00", "良"),  # 10 × 0.7999 = 7.999 → 8.00; 96 capped at 89 → 良
    ("50.00", "5.00", "93.00", "89.00", "良"),  # 88 + 5 = 93, 50 % → only the 80 % rung
    ("49.99", "5.00", "93.00", "59.00", "差"),  # 10 × 0.4999 = 4.999 → 5.00; 93 capped at 59 → 差
    ("110.00", "11.00", "99.00", "99.00", "优"),  # uncapped 10 × 1.10 = 11; 88 + 11 = 99
])
def test_total_caps_in_compute(caps_profile: Path, executed: str, funds_score: str, total: str, capped: str,
                               grade: str) -> None:
    computed = compute(funds(executed), config_for(load_profile(caps_profile)))
    assert computed[f"{FUNDS}.score_stated"] == D(funds_score)
    assert computed["calc.total_score"] == D(total)  # the sheet's Σ stays the Σ
    assert computed["calc.capped_total"] == D(capped)
    assert computed["calc.capped_grade"] == grade  # the grade of the capped total
    assert computed["calc.grade"] == ("优" if D(total) >= 90 else "良")  # 计算结果's 等级 stays that of the Σ


# --------------------------------------------------------------------------- switching profile


#: computed keys a profile may change: the 执行率 score and what adds it up, the capped total and grade, the
#: label, and the explanation of a 定性 row (it quotes the band edges)
SCORE_KEYS = {f"{FUNDS}.score_stated", "self_eval.total_score_stated", "calc.total_score", "calc.capped_total",
              "calc.capped_grade", "calc.grade", "calc.renormalised_total", "calc.profile"}


def _differences(a: dict[str, Any], b: dict[str, Any]) -> set[str]:
    assert a.keys() == b.keys()
    return {k for k in a if a[k] != b[k]}


def test_switching_profile_changes_the_scores_and_nothing_else(caps_profile: Path) -> None:
    report = funds("110.00")  # over-executed: where capped and uncapped part
    results = {name: compute(report, cfg(name)) for name in SHIPPED}
    results["test-caps"] = compute(report, config_for(load_profile(caps_profile)))
    base = results["mof-2020"]
    qualitative = {k for k in base if k.endswith(".explanation") and str(base[k]).startswith("定性指标")}
    assert len(qualitative) == 3  # 及时完成情况, 社会效益, 可持续影响
    for name, computed in results.items():
        changed = _differences(base, computed)
        assert changed <= SCORE_KEYS | qualitative, (name, changed - SCORE_KEYS - qualitative)
    # what did change, by hand:
    assert _differences(base, results["sichuan-2023"]) == {"calc.profile"}  # same cap, bands and grades
    assert _differences(base, results["hb-20-40-40"]) == {"calc.profile"} | qualitative  # "部分达成50%–80%"
    assert "部分达成50%–80%" in str(results["hb-20-40-40"][next(iter(qualitative))])
    assert _differences(base, results["test-caps"]) == {
        f"{FUNDS}.score_stated", "self_eval.total_score_stated", "calc.total_score", "calc.capped_total",
        "calc.capped_grade", "calc.renormalised_total", "calc.profile"}  # grade 优 at 98 and at 99
    assert (base[f"{FUNDS}.score_stated"], results["test-caps"][f"{FUNDS}.score_stated"]) == (D("10.00"), D("11.00"))
    assert (base["calc.total_score"], results["test-caps"]["calc.total_score"]) == (D("98.00"), D("99.00"))
    assert (base["calc.capped_total"], results["test-caps"]["calc.capped_total"]) == (None, D("99.00"))
    assert (base["calc.capped_grade"], results["test-caps"]["calc.capped_grade"]) == (None, "优")
    assert base["calc.profile"] == "财政部2020年通用口径（mof-2020）"
    assert results["sichuan-2023"]["calc.profile"] == "四川2023年口径（sichuan-2023）"


def test_zp005_names_an_uncapped_profile(caps_profile: Path) -> None:
    report = funds("110.00")
    report.self_eval.funds.score_stated = D(10)  # the capped value, wrong for this profile (10 × 1.10 = 11)
    (finding,) = found(report, "ZP-005", config_for(load_profile(caps_profile)))
    assert "分值 × 执行率" in finding.message and "不封顶" in finding.message and "min" not in finding.message
    assert not found(report, "ZP-005", cfg("mof-2020"))


# --------------------------------------------------------------------------- a --config file on top


def test_config_on_top_of_a_profile(tmp_path: Path) -> None:
    conf = tmp_path / "c.json"
    conf.write_text('{"over_achievement_ratio": 1.3}', encoding="utf-8")
    c = config_for(load_profile("sichuan-2023"), conf)
    assert c.over_achievement_ratio == D("1.3") and c.execution_reason_below == D("0.9")  # both apply
    assert c.profile == "sichuan-2023"
    assert profile_label(c) == "四川2023年口径（另按配置文件 c.json 调整）（sichuan-2023）"
    same = tmp_path / "same.json"
    same.write_text('{"execution_reason_below": 0.9}', encoding="utf-8")  # changes nothing
    assert config_for(load_profile("sichuan-2023"), same) == cfg("sichuan-2023")
    sneaky = tmp_path / "s.json"
    sneaky.write_text('{"profile": "mof-2020"}', encoding="utf-8")
    with pytest.raises(ConfigError, match="不能设置 profile"):
        config_for(load_profile("sichuan-2023"), sneaky)


def test_old_config_files_keep_working(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text('{"execution_score_cap": 1.1}', encoding="utf-8")
    assert load_config(old).execution_score_cap == D("1.1")  # 10 × min(1.2, 1.1) = 11
    assert execution_score(D("120"), D("100"), D("10"), load_config(old)) == D("11.00")
    uncapped = tmp_path / "null.json"
    uncapped.write_text('{"execution_score_cap": null}', encoding="utf-8")
    assert execution_score(D("120"), D("100"), D("10"), load_config(uncapped)) == D("12.00")  # 10 × 1.2


# --------------------------------------------------------------------------- bad profile files


BAD = [
    ("{", ("不是有效的 JSON", "第 1 行第 2 列")),
    ("[1]", ("须为 JSON 对象",)),
    ('{"name": "x", "title": "t", "colour": "red"}', ("未知的项", "colour")),
    ('{"name": "x", "title": "t", "settings": {"execution_score_cop": 1}}',
     ("未知的配置项", "settings.execution_score_cop", "execution_score_cap")),
    ('{"name": "x", "title": "t", "settings": {"execution_score_cap": "高"}}',
     ("settings.execution_score_cap", "应为数字")),
    ('{"name": "x", "title": "t", "settings": {"execution_score_cap": 0}}', ("settings.execution_score_cap", "大于 0")),
    ('{"name": "x", "title": "t", "settings": {"qualitative_bands": [0.5, 0.8]}}',
     ("settings.qualitative_bands", "达成 ≥ 部分达成")),
    ('{"name": "x", "title": "t", "settings": {"total_caps": [{"rate_below": 0.8}]}}',
     ("settings.total_caps[0].max_total", "缺少必填的值")),
    ('{"name": "x", "title": "t", "settings": {"level1_weights": {"产出指标": "很多"}}}',
     ("settings.level1_weights.产出指标", "应为数字")),
    ('{"name": "x", "title": "t", "settings": {"profile": "mof-2020"}}', ("settings.profile", "不能设置")),
    ('{"name": "x", "settings": {}}', ("title", "缺少必填的值")),
    ('{"name": "my profile", "title": "t"}', ("name", "不含空格")),
    ('{"name": "x", "title": "t", "settings": [1]}', ("settings", "应为对象")),
    ('{"name": "mof-2020", "title": "t", "settings": {"execution_reason_below": 0.9}}', ("重名", "mof-2020")),
]


@pytest.mark.parametrize(("text", "words"), BAD)
def test_a_bad_profile_file_names_the_key(text: str, words: tuple[str, ...], tmp_path: Path) -> None:
    path = tmp_path / "口径.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert "口径.json" in message, message
    for word in words:
        assert word in message, message
    assert not ENGLISH.search(message.replace("execution_score", "").replace("rate_below", "")), message


def test_a_bad_profile_exits_2_on_every_command(tmp_path: Path, seed_xlsx: Path) -> None:
    bad = tmp_path / "坏口径.json"
    bad.write_text('{"name": "x", "title": "t", "settings": {"qualitative_bandz": [0.8, 0.6]}}', encoding="utf-8")
    data = str(EXAMPLES / "huaihua-2023-corrected.json")
    for args in (("validate", str(seed_xlsx), "--profile"), ("compute", str(seed_xlsx), "-o", str(tmp_path / "o.xlsx"),
                 "--profile"), ("export", str(seed_xlsx), "-o", str(tmp_path / "f.xlsx"), "--profile"),
                 ("fill", data, "-o", str(tmp_path / "g.xlsx"), "--profile"), ("profiles",)):
        r = run_cli(*args, str(bad))
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert r.stderr.startswith("错误：评分口径文件 坏口径.json") and "settings.qualitative_bandz" in r.stderr
        assert "Traceback" not in r.stderr
    assert not any((tmp_path / n).exists() for n in ("o.xlsx", "f.xlsx", "g.xlsx"))
    for name, words in (("nope", "未知的评分口径：nope"), (str(tmp_path / "missing.json"), "找不到评分口径文件")):
        r = run_cli("validate", str(seed_xlsx), "--profile", name)
        assert r.returncode == 2 and words in r.stderr, r.stderr


# --------------------------------------------------------------------------- the command line


def test_profiles_lists_the_key_numbers() -> None:
    r = run_cli("profiles")
    assert r.returncode == 0 and r.stderr == ""
    out = r.stdout
    for name in SHIPPED:
        assert f"\n{name}  " in out
    mof, hb, sichuan = out.split("\nhb-20-40-40")[0], out.split("\nhb-20-40-40")[1].split("\nsichuan-2023")[0], \
        out.split("\nsichuan-2023")[1]
    assert "财政部2020年通用口径（默认）" in mof and "产出指标 50、效益指标 30、满意度指标 10" in mof
    assert "部分达成 ≥ 60%" in mof and "执行率低于 100%" in mof and "封顶于分值" in mof
    assert "执行率分值    20" in hb and "产出指标 40" in hb and "部分达成 ≥ 50%" in hb
    assert "执行率低于 90%" in sichuan and "不分别规定" in sichuan
    r = run_cli("profiles", "--format", "json")
    data = json.loads(r.stdout)
    assert data["default"] == "mof-2020" and [p["name"] for p in data["profiles"]] == list(SHIPPED)
    sichuan_json = data["profiles"][2]
    assert D(sichuan_json["settings"]["execution_reason_below"]) == D("0.9") and not sichuan_json["default"]


def test_profiles_shows_a_users_file(caps_profile: Path) -> None:
    r = run_cli("profiles", str(caps_profile))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("test-caps  测试口径")
    assert "不封顶" in r.stdout and "执行率低于 80% 时总分不超过 89；执行率低于 50% 时总分不超过 59" in r.stdout


def _calc_value(path: Path, key: str, report: Report | None = None) -> Any:
    """The value of a 计算结果 figure in a workbook laid out for ``report`` (default: the corrected seed)."""
    layout = layout_for(report or load_example("huaihua-2023-corrected.json"))
    (cell,) = [c for c in layout.cells() if c.sheet == CALC_SHEET and c.calc_key == key]
    return load_workbook(path)[CALC_SHEET][cell.address].value


def test_profile_end_to_end_on_the_example(tmp_path: Path) -> None:
    data = EXAMPLES / "huaihua-2023-corrected.json"
    filled, computed, final = tmp_path / "填.xlsx", tmp_path / "算.xlsx", tmp_path / "定稿.xlsx"
    r = run_cli("fill", str(data), "-o", str(filled), "--profile", "sichuan-2023")
    assert r.returncode == 0, r.stderr
    assert _calc_value(filled, "calc.profile") == "四川2023年口径（sichuan-2023）"
    r = run_cli("compute", str(filled), "-o", str(computed), "--profile", "sichuan-2023")
    assert r.returncode == 0 and "评分口径：四川2023年口径（sichuan-2023）" in r.stdout, r.stderr
    assert _calc_value(computed, "calc.profile") == "四川2023年口径（sichuan-2023）"
    # validate: ZP-007 (25.98 % > 0 %) is a warning only under sichuan-2023 (rules.md: 30 % under MOF)
    r = run_cli("validate", str(computed), "--format", "json", "--profile", "sichuan-2023")
    assert r.returncode == 0 and [f["code"] for f in json.loads(r.stdout)["findings"]
                                  if f["severity"] == "warning"] == ["ZP-007"]
    # the computed workbook remembers its profile: validating it without --profile uses sichuan-2023 again …
    r = run_cli("validate", str(computed), "--format", "json")
    assert r.returncode == 0 and [f["code"] for f in json.loads(r.stdout)["findings"]
                                  if f["severity"] == "warning"] == ["ZP-007"]
    # … and an explicit profile wins
    r = run_cli("validate", str(computed), "--format", "json", "--profile", "mof-2020")
    assert r.returncode == 0 and not [f for f in json.loads(r.stdout)["findings"] if f["severity"] == "warning"]
    r = run_cli("export", str(computed), "-o", str(final), "--profile", "sichuan-2023", "--force", "--reason",
                "年中调整已在报告中说明")
    assert r.returncode == 0 and "评分口径：四川2023年口径（sichuan-2023）" in r.stdout, r.stderr
    wb = load_workbook(final)
    meta, _ = read_export_meta(wb)
    assert (meta["profile"], meta["profile_title"]) == ("sichuan-2023", "四川2023年口径")
    assert wb.custom_doc_props["perfeval_profile"].value == "sichuan-2023"
    summary = {row[0]: row[3] for row in wb[SUMMARY_SHEET].iter_rows(min_row=3, max_col=4, values_only=True)
               if row[0]}
    assert summary["评分口径"] == "四川2023年口径（sichuan-2023）"
    assert EXPORT_SHEET in wb.sheetnames
    assert _calc_value(final, "calc.profile") == "四川2023年口径（sichuan-2023）"  # frozen in the 定稿
    r = run_cli("verify", str(final))
    assert r.returncode == 0 and "评分口径：四川2023年口径（sichuan-2023）" in r.stdout
    r = run_cli("verify", str(final), "--format", "json")
    assert json.loads(r.stdout)["profile"] == "sichuan-2023"


def test_a_users_profile_file_on_compute_and_never_as_output(tmp_path: Path, seed_xlsx: Path,
                                                             caps_profile: Path) -> None:
    out = tmp_path / "o.xlsx"
    r = run_cli("compute", str(seed_xlsx), "-o", str(out), "--profile", str(caps_profile))
    assert r.returncode == 0, r.stderr
    # the seed: 781.06 / 781.06 = 100 %, no ceiling applies: 88 + 10 = 98, 优
    assert "评分口径：测试口径（test-caps）" in r.stdout and "按执行率封顶后的总分：98（等级 优）" in r.stdout
    assert _calc_value(out, "calc.profile", load_example()) == "测试口径（test-caps）"
    before = caps_profile.read_bytes()
    r = run_cli("compute", str(seed_xlsx), "-o", str(caps_profile), "--profile", str(caps_profile), "--overwrite")
    assert r.returncode == 2 and caps_profile.read_bytes() == before


def test_profile_model_round_trip() -> None:
    # what `perfeval profiles NAME --format json` prints of a profile is a valid profile again
    for p in list_profiles():
        again = Profile.model_validate(p.model_dump(mode="json"))
        assert again.config() == p.config()


def test_the_readme_example_profile_loads(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("自己的口径文件（UTF-8 JSON）：")[1].split("```json")[1].split("```")[0]
    path = tmp_path / "my.json"
    path.write_text(block, encoding="utf-8")
    c = config_for(load_profile(path))
    assert (c.profile, c.execution_score_cap, c.qualitative_bands) == ("my-2024", None, (D("0.8"), D("0.5")))
    assert c.total_caps == (TotalCap(rate_below=D("0.8"), max_total=D(89)),
                            TotalCap(rate_below=D("0.5"), max_total=D(59)))
