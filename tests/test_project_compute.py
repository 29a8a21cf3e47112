"""Project pack: computations on the seed-derived example (examples/huaihua-2023-projects.json), numbers derived by
hand in the comments (rules.md §1 F7/F7s, §2)."""

from __future__ import annotations

from decimal import Decimal

from perfeval.config import DEFAULT_CONFIG
from perfeval.forms.project import FORM
from perfeval.forms.project.model import ProjectBook
from tests.project_support import load_projects

D = Decimal


def compute(book: ProjectBook) -> dict[str, object]:
    return dict(FORM.compute(book, DEFAULT_CONFIG))


def test_example_funds_and_totals() -> None:
    c = compute(load_projects())
    # 专项（业务）经费: 全年执行数 58.14 / 全年预算数 58.14 = 1 → 执行率 100%; 得分 = 10 × min(1, 1) = 10.00.
    assert c["projects[0].funds.execution_rate_stated"] == D(1)
    assert c["projects[0].funds.score_stated"] == D("10.00")
    # 分值: 产出 10+10+10+5+5+10 = 50, 效益 15+15 = 30, 满意度 10 → 90, + 年度资金总额 10 = 100.
    assert c["projects[0].total_weight_stated"] == D("100.00")
    # every row at full marks: 90 + 10 = 100.00 → 优
    assert (c["calc.projects[0].total_score"], c["calc.projects[0].grade"]) == (D("100.00"), "优")
    # 鹤城一体化燃气规划专项经费: 三级得分 20 + 10 + 7 + 10 + 15 + 15 + 10 = 87, + 10 × min(27.99/27.99, 1) = 97.00
    assert c["projects[5].total_score_stated"] == D("97.00")
    assert (c["calc.projects[5].total_score"], c["calc.projects[5].grade"]) == (D("97.00"), "优")
    # nothing declared not applicable: the re-normalised total is Σ得分/Σ分值 × 100 = 97/100 × 100
    assert c["calc.projects[5].renormalised_total"] == D("97.00")
    assert c["calc.projects[5].name"] == "鹤城一体化燃气规划专项经费"


def test_example_parts() -> None:
    c = compute(load_projects())
    # 其中 lines of 专项（业务）经费: 当年财政拨款 80.00 / 58.14 / 58.14, 上年结转 and 其他 0.00 each.
    assert c["calc.projects[0].parts.initial_budget"] == D("80.00")  # 80.00 + 0.00 + 0.00
    assert c["calc.projects[0].parts.full_year_budget"] == D("58.14")
    assert c["calc.projects[0].parts.executed"] == D("58.14")
    assert c["projects[0].funds_current.execution_rate_stated"] == D(1)  # 58.14 / 58.14
    assert c["projects[0].funds_carryover.execution_rate_stated"] is None  # 0.00 / 0.00: not applicable, "—"
    # 污泥干化处置费 was added in the year: 年初 0.00, 全年 72.81 = 执行
    assert c["calc.projects[3].parts.initial_budget"] == D("0.00")
    assert c["calc.projects[3].parts.executed"] == D("72.81")


def test_example_suggested_scores() -> None:
    c = compute(load_projects())
    key = "calc.projects[{}].indicators[{}].secondaries[{}].rows[{}].{}"
    # 标后履约检查项目数 ≥80个 → 87个, 分值 10: 正向 min(87/80, 1) × 10 = 10.00
    assert c[key.format(0, 0, 0, 2, "suggested")] == D("10.00")
    assert c[key.format(0, 0, 0, 2, "direction")] == "正向"
    # 项目支出 ≤80.00万元 → 58.14万元: 反向, 58.14 ≤ 80.00 → full 10.00
    assert c[key.format(0, 0, 3, 0, "suggested")] == D("10.00")
    assert c[key.format(0, 0, 3, 0, "direction")] == "反向"
    # 污泥二次污染事件 ≤0起 → 0起, 分值 15: 反向, 0 ≤ 0 → full 15.00
    assert c[key.format(3, 1, 0, 0, "suggested")] == D("15.00")
    # 招投标市场秩序 “进一步规范” → “效果明显”: 定性, the unit judges (no suggestion)
    assert c[key.format(0, 1, 0, 0, "suggested")] is None
    assert c[key.format(0, 1, 0, 0, "direction")] == "定性"


def test_under_execution_and_over_execution() -> None:
    book = load_projects()
    f = book.projects[1].funds  # 污水处理专项业务费, 全年预算数 25.13
    f.executed = D("20.00")
    c = compute(book)
    # 20.00 / 25.13 = 0.795861520…; 得分 = 10 × 0.795861… = 7.9586… → 7.96; 总分 90 + 7.96 = 97.96 → 优
    assert round(c["projects[1].funds.execution_rate_stated"], 6) == D("0.795862")  # type: ignore[call-overload]
    assert c["projects[1].funds.score_stated"] == D("7.96")
    assert c["calc.projects[1].total_score"] == D("97.96")
    f.executed = D("30.00")
    c = compute(book)
    # 30.00 / 25.13 = 1.1938 > 1: the score is capped at 分值 × 100% = 10.00
    assert c["projects[1].funds.score_stated"] == D("10.00")
    f.full_year_budget = D(0)
    c = compute(book)
    assert c["projects[1].funds.execution_rate_stated"] is None  # no budget: not applicable, never 0 or 100%
    assert c["projects[1].funds.score_stated"] is None


def test_grade_bands_on_a_project() -> None:
    book = load_projects()
    rows = [r for *_, r in book.projects[4].rows()]
    rows[0].score = D("0")  # 截污干管巡查天数 15 → 0: 总分 100 − 15 = 85.00 → 良
    assert compute(book)["calc.projects[4].grade"] == "良"
    rows[1].score = D("0")  # 塌陷渗漏地段摸排河段数 10 → 0: 75.00 → 中
    c = compute(book)
    assert (c["calc.projects[4].total_score"], c["calc.projects[4].grade"]) == (D("75.00"), "中")
