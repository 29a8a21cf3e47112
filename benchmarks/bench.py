"""Speed of the main operations against a baseline measured in the same run.

Baseline: a bare openpyxl ``load_workbook`` + ``save`` of the same file (the least any tool that
rewrites the workbook must do). Targets (issue tracker): compute ratio ≤ 1.5, validate-with-flags ratio
≤ 1.5, ``perfeval --help`` cold start ≤ 0.5 s.

Whole processes the way a user runs them (``python -m perfeval.cli validate seed.xlsx``, ``… verify 定稿.xlsx``)
against a bare openpyxl load+save of the same file as a whole ``python -c`` process, in the same run, alternating,
median of ``--repeat`` (target: ratio ≤ 1.0). Every timed process runs with its byte code cached (as an installed
package has it), not re-compiled on each start as under ``PYTHONDONTWRITEBYTECODE``.

Run: ``.venv/bin/python benchmarks/bench.py [--repeat N]`` (``benchmarks/collect_bench.py``: ``perfeval collect``
on 1,000 files)

``--scaling [--sizes 100x50,1000x50,…]`` instead measures how every command grows with the size of the
report (项目支出 rows × 三级指标 rows, up to the largest supported, perfeval/limits.py): each command on a
generated report of each size, in-process and as a whole ``python -m perfeval.cli`` process, in seconds and
as a ratio to a bare openpyxl load+save of the same file (plain openpyxl, measured in the same run), with
the time per table row so that linear growth shows as a flat column.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perfeval.console import ljust  # noqa: E402  (display width: CJK labels count double)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


DEFAULT_SIZES = "100x50,1000x50,5000x50,10x100,10x500,10x1000,5000x1000"


def big_report(n_projects: int, n_indicator_rows: int) -> Any:
    """The corrected example grown to ``n_projects`` project rows and ``n_indicator_rows`` 三级 rows, still
    consistent (校验 finds no error): each extra project adds 1.00 to every column and to the 自评表 totals;
    each extra indicator row is a not-applicable one (分值 0, “无”)."""
    from perfeval.forms.department.model import Amounts, Project, Report

    report = Report.model_validate_json(
        (ROOT / "examples" / "huaihua-2023-corrected.json").read_text(encoding="utf-8"))
    basic, zp = report.basic, report.self_eval
    extra = max(0, n_projects - len(basic.projects))
    one = Amounts(prev_actual=Decimal("1.00"), budget=Decimal("1.00"), actual=Decimal("1.00"))
    basic.projects = basic.projects[:n_projects] + [Project(name=f"项目{i + 1}", amounts=one) for i in range(extra)]
    basic.projects_stated.prev_actual = basic.projects_stated.budget = basic.projects_stated.actual = None
    zp.income_total_stated = zp.expenditure_total_stated = None
    for name in ("expenditure_project", "income_general_public"):
        setattr(zp, name, (getattr(zp, name) or Decimal(0)) + extra)
    for name in ("initial_budget", "full_year_budget", "executed"):
        setattr(zp.funds, name, (getattr(zp.funds, name) or Decimal(0)) + extra)
    l2 = zp.indicators[0].secondaries[0]
    have = sum(len(s.rows) for l1 in zp.indicators for s in l1.secondaries)
    template = l2.rows[0]
    l2.rows = l2.rows + [template.model_copy(update={"name": f"指标{i + 1}", "target": "无", "actual": "无",
                                                     "weight": Decimal(0), "score": Decimal(0), "deviation": ""})
                         for i in range(max(0, n_indicator_rows - have))]
    return report


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def process_env() -> dict[str, str]:
    """The environment of every timed process: byte code cached in a folder of its own (as ``pip install`` leaves
    it), rather than compiled from source at each start under ``PYTHONDONTWRITEBYTECODE``."""
    import os

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "perfeval-bench-pycache")
    return env


def _process(*args: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], check=False, capture_output=True, cwd=ROOT, env=process_env())
    return time.perf_counter() - t0


def single_file_processes(seed: Path, final: Path, repeat: int) -> list[tuple[str, float, float, float]]:
    """``perfeval validate`` of the filled seed and ``perfeval verify`` of its corrected 定稿 as whole processes,
    each beside a bare openpyxl load+save of the same file as a whole process: (name, command s, bare s, ratio),
    medians of ``repeat`` alternating runs."""
    out = seed.with_name("bare_out.xlsx")
    cli = ("-m", "perfeval.cli")
    runs: dict[str, list[float]] = {k: [] for k in ("validate", "bare seed", "verify", "bare final")}
    _process(*cli, "--help")  # byte code written before anything is timed
    for _ in range(repeat):
        runs["validate"].append(_process(*cli, "validate", str(seed)))
        runs["bare seed"].append(_process("-c", BARE_CODE, str(seed), str(out)))
        runs["verify"].append(_process(*cli, "verify", str(final)))
        runs["bare final"].append(_process("-c", BARE_CODE, str(final), str(out)))
    med = {k: statistics.median(v) for k, v in runs.items()}
    return [("perfeval validate 种子表（进程）", med["validate"], med["bare seed"], med["validate"] / med["bare seed"]),
            ("perfeval verify 定稿（进程）", med["verify"], med["bare final"], med["verify"] / med["bare final"])]


def _bare(src: Path, out: Path) -> None:
    load_workbook(src).save(out)


BARE_CODE = "import sys; from openpyxl import load_workbook; load_workbook(sys.argv[1]).save(sys.argv[2])"
BASELINE_OF = {"clear": "flagged", "verify": "final"}  # the file each command reads (default: the report)


def _measure(n_projects: int, n_rows: int, tmp: Path, processes: bool) -> tuple[dict[str, float], ...]:
    from perfeval.xlsx.export import export_file
    from perfeval.xlsx.verify import verify_file
    from perfeval.xlsx.workflow import clear_file, compute_file, extract, fill, validate_file, write_new

    report = big_report(n_projects, n_rows)
    data, src, out = tmp / "d.json", tmp / "w.xlsx", tmp / "o.xlsx"
    data.write_text(report.model_dump_json(), encoding="utf-8")
    flagged, final = tmp / "flagged.xlsx", tmp / "final.xlsx"
    t = {"fill": _timed(lambda: fill(report, src))}
    t["new"] = _timed(lambda: write_new(tmp / "new.xlsx", n_projects=n_projects))
    t["extract"] = _timed(lambda: extract(src))
    t["validate"] = _timed(lambda: validate_file(src))
    t["validate -o"] = _timed(lambda: validate_file(src, flagged))
    t["compute"] = _timed(lambda: compute_file(src, out))
    t["clear"] = _timed(lambda: clear_file(flagged, out))
    t["export"] = _timed(lambda: export_file(src, final))
    t["verify"] = _timed(lambda: verify_file(final))
    files = {"src": src, "flagged": flagged, "final": final}
    base = {name: _timed(lambda f=f: _bare(f, out)) for name, f in files.items()}
    proc: dict[str, float] = {}
    pbase: dict[str, float] = {}
    if processes:
        cli = ("-m", "perfeval.cli")
        proc = {
            "fill": _process(*cli, "fill", str(data), "-o", str(tmp / "p_fill.xlsx")),
            "new": _process(*cli, "new", "--projects", str(n_projects), "-o", str(tmp / "p_new.xlsx")),
            "extract": _process(*cli, "extract", str(src), "-o", str(tmp / "p.json")),
            "validate": _process(*cli, "validate", str(src)),
            "validate -o": _process(*cli, "validate", str(src), "-o", str(tmp / "p_v.xlsx")),
            "compute": _process(*cli, "compute", str(src), "-o", str(tmp / "p_c.xlsx")),
            "clear": _process(*cli, "clear", str(flagged), "-o", str(tmp / "p_cl.xlsx")),
            "export": _process(*cli, "export", str(src), "-o", str(tmp / "p_f.xlsx")),
            "verify": _process(*cli, "verify", str(final)),
        }
        pbase = {name: _process("-c", BARE_CODE, str(f), str(tmp / "p_bare.xlsx")) for name, f in files.items()}
    return t, base, proc, pbase


def scaling(sizes: list[tuple[int, int]], processes: bool) -> None:
    print("baseline: bare openpyxl load+save of the file the command reads (for fill and new: the filled report)")
    print(f"{'projects x indicator rows':<26}{'command':<14}{'in-process s':>13}{'ratio':>7}{'ms/row':>8}"
          + (f"{'process s':>11}{'ratio':>7}" if processes else ""))
    for n_projects, n_rows in sizes:
        with tempfile.TemporaryDirectory() as d:
            t, base, proc, pbase = _measure(n_projects, n_rows, Path(d), processes)
        rows = n_projects + n_rows
        label = f"{n_projects} x {n_rows}"
        print(f"{label:<26}{'bare openpyxl':<14}{base['src']:>13.2f}{1:>7.2f}{1000 * base['src'] / rows:>8.2f}"
              + (f"{pbase['src']:>11.2f}{1:>7.2f}" if processes else ""))
        for name, seconds in t.items():
            b = base[BASELINE_OF.get(name, "src")]
            line = f"{'':<26}{name:<14}{seconds:>13.2f}{seconds / b:>7.2f}{1000 * seconds / rows:>8.2f}"
            if processes:
                line += f"{proc[name]:>11.2f}{proc[name] / pbase[BASELINE_OF.get(name, 'src')]:>7.2f}"
            print(line, flush=True)


def project_rows(tmp: Path, department: Path, repeat: int) -> list[tuple[str, float, float, float | None]]:
    """The 项目支出绩效自评表 example (six project sheets): each command against a bare load+save of that workbook;
    ``validate --with`` adds reading the department workbook and the cross-form rule X-005."""
    from perfeval import forms
    from perfeval.xlsx.export import export_file
    from perfeval.xlsx.workflow import compute_file, fill, validate_file

    src = tmp / "projects.xlsx"
    book = forms.get("project").parse_json((ROOT / "examples" / "huaihua-2023-projects.json").read_text("utf-8"))
    fill(book, src)
    out = tmp / "projects_out.xlsx"

    def bare() -> None:
        load_workbook(src).save(out)

    bare()
    compute_file(src, tmp / "projects_warm.xlsx")
    t_bare = best_of(bare, repeat)
    timed = [
        ("项目表 bare openpyxl load+save (baseline)", t_bare, None),
        ("项目表 compute", best_of(lambda: compute_file(src, out), repeat), 1.5),
        ("项目表 validate -o", best_of(lambda: validate_file(src, out), repeat), 1.5),
        ("项目表 validate --with 部门表",
         best_of(lambda: validate_file(src, None, companion=department), repeat), None),
        ("项目表 export", best_of(lambda: export_file(src, out), repeat), None),
    ]
    return [(name, t, t / t_bare, target) for name, t, target in timed]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scaling", action="store_true", help="how each command grows with the report size")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="projects x indicator rows, comma-separated")
    parser.add_argument("--no-processes", action="store_true", help="--scaling: in-process timings only")
    args = parser.parse_args()
    if args.scaling:
        sizes = [tuple(int(n) for n in s.lower().split("x")) for s in args.sizes.split(",")]
        scaling([(p, r) for p, r in sizes], processes=not args.no_processes)
        return 0

    from perfeval.forms.department.model import Report
    from perfeval.xlsx.workflow import compute_file, fill

    seed = Report.model_validate_json((ROOT / "examples" / "huaihua-2023.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        src = tmp / "seed.xlsx"
        fill(seed, src)
        out = tmp / "out.xlsx"

        def bare() -> None:
            load_workbook(src).save(out)

        bare()  # warm up imports and caches for both sides
        compute_file(src, tmp / "warm.xlsx")
        t_bare = best_of(bare, args.repeat)
        t_compute = best_of(lambda: compute_file(src, out), args.repeat)
        rows = [("bare openpyxl load+save (baseline)", t_bare, 1.0, None),
                ("compute: read+compute+write", t_compute, t_compute / t_bare, 1.5)]
        try:
            from perfeval.xlsx.workflow import validate_file

            validate_file(src, tmp / "warm2.xlsx")
            t_validate = best_of(lambda: validate_file(src, out), args.repeat)
            rows.append(("validate -o (flags + 校验结果)", t_validate, t_validate / t_bare, 1.5))
        except ImportError as exc:  # rule catalogue not installed
            print(f"validate skipped: {exc}")
        try:
            from perfeval.xlsx.export import export_file

            corrected = tmp / "corrected.xlsx"
            fill(Report.model_validate_json(
                (ROOT / "examples" / "huaihua-2023-corrected.json").read_text(encoding="utf-8")), corrected)
            export_file(corrected, tmp / "warm3.xlsx")
            t_export = best_of(lambda: export_file(corrected, out), args.repeat)
            rows.append(("export (validate + freeze + protect)", t_export, t_export / t_bare, None))
        except (ImportError, FileNotFoundError) as exc:
            print(f"export skipped: {exc}")

        rows += project_rows(tmp, corrected, args.repeat)
        final = tmp / "final.xlsx"
        export_file(corrected, final)
        whole = single_file_processes(src, final, max(args.repeat, 9))

    cold = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "perfeval.cli", "--help"], check=True, capture_output=True,
                       env=process_env(), cwd=ROOT)
        cold.append(time.perf_counter() - t0)
    t_help = statistics.median(cold)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    t_python = time.perf_counter() - t0

    print(f"{'operation':<42}{'seconds':>10}{'ratio':>8}{'target':>8}  ok")
    for name, t, ratio, target in rows:
        ok = "" if target is None else ("yes" if ratio <= target else "NO")
        print(f"{ljust(name, 42)}{t:>10.4f}{ratio:>8.2f}{(f'≤{target}' if target else ''):>8}  {ok}")
    print(f"{'perfeval --help cold start (median of 5)':<42}{t_help:>10.4f}{'':>8}{'≤0.5s':>8}  "
          f"{'yes' if t_help <= 0.5 else 'NO'}")
    print(f"{'bare python start (for reference)':<42}{t_python:>10.4f}")
    print()
    print(f"{'whole process (median)':<42}{'seconds':>10}{'bare s':>8}{'ratio':>8}{'target':>8}  ok")
    for name, t, bare_t, ratio in whole:
        print(f"{ljust(name, 42)}{t:>10.4f}{bare_t:>8.3f}{ratio:>8.2f}{'≤1.0':>8}  {'yes' if ratio <= 1.0 else 'NO'}")
    print("(bare: python -c 'load_workbook(f).save(o)' of the same file as a whole process; "
          f"load average {' '.join(f'{x:.2f}' for x in __import__('os').getloadavg())})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
