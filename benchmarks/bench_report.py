"""`cfc-sim report` on a 30-replication national folder against the time to read its files (goal <= 2).

Makes the folder once with `python -m cfc_sim run --reps 30 --workers 2` (several minutes; or give
one with `--folder`), then times whole processes, alternating, best of --repeat (default 3):

- *read*: a bare Python process that imports pandas and reads every file the report reads with
  public tools (`pandas.read_csv` of summary, replications, readiness and monthly_summary,
  `pandas.read_parquet` of timeseries.parquet, `yaml.safe_load` of scenario.resolved.yaml,
  `json.load` of manifest.json, the chart PNGs' bytes);
- *report*: `python -m cfc_sim report FOLDER --out OTHER` (both report.html and report.xlsx).

Prints both, the ratio report / read, and, for "the workbook opens in seconds", report.xlsx's
size, its rows per sheet and the seconds `openpyxl.load_workbook` takes to open it (a proxy for
Excel, which is not on the machine).

    python benchmarks/bench_report.py [--quick] [--folder RESULTS] [--reps 30] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, machine_line, table, verdict

GOAL = 2.0
READ = """
import json, sys
from pathlib import Path
import pandas as pd
import yaml
folder = Path(sys.argv[1])
for name in ("summary", "replications", "readiness", "monthly_summary"):
    if (folder / f"{name}.csv").exists():
        pd.read_csv(folder / f"{name}.csv")
if (folder / "timeseries.parquet").exists():
    pd.read_parquet(folder / "timeseries.parquet")
else:
    pd.read_csv(folder / "timeseries.csv")
yaml.safe_load((folder / "scenario.resolved.yaml").read_text(encoding="utf-8"))
json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
for png in sorted((folder / "charts").glob("*.png")):
    png.read_bytes()
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=_env(), cwd=REPO, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:4])} failed ({done.returncode}):\n{done.stderr}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 4-replication folder instead of 30")
    parser.add_argument("--folder", type=Path, help="an existing results folder (skips the run)")
    parser.add_argument("--reps", type=int, default=None, help="replications of the folder made (default 30)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the best counts (default 3)")
    args = parser.parse_args(argv)
    reps = args.reps or (4 if args.quick else 30)
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="cfc-bench-report-") as tmp_name:
        tmp = Path(tmp_name)
        folder = args.folder
        if folder is None:
            folder = tmp / "national"
            print(f"making the folder: cfc-sim run --reps {reps} --workers 2 (national default) ...", flush=True)
            made = timed([sys.executable, "-m", "cfc_sim", "run", "--reps", str(reps), "--workers", "2",
                          "--out", str(folder)])
            print(f"  made in {made:.0f} s")
        sizes = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}
        print(f"folder {folder}: " + ", ".join(f"{n} {s / 1e6:.1f} MB" for n, s in sorted(sizes.items())
                                               if not n.startswith(".")))
        read_times, report_times = [], []
        for i in range(args.repeat):
            out = tmp / f"report-{i}"
            for side in ("read", "report") if i % 2 == 0 else ("report", "read"):
                if side == "read":
                    read_times.append(timed([sys.executable, "-c", READ, str(folder)]))
                else:
                    report_times.append(timed([sys.executable, "-m", "cfc_sim", "report", str(folder),
                                               "--out", str(out)]))
        workbook = tmp / "report-0" / "report.xlsx"
        from openpyxl import load_workbook

        start = time.perf_counter()
        book = load_workbook(workbook)
        open_seconds = time.perf_counter() - start
        rows_per_sheet = ", ".join(f"{ws.title} {ws.max_row:,}" for ws in book.worksheets)
        html_mb = (tmp / "report-0" / "report.html").stat().st_size / 1e6
        xlsx_mb = workbook.stat().st_size / 1e6
    rows = [("read the files (pandas, pyarrow, yaml)", f"{min(read_times):.2f}",
             " ".join(f"{t:.2f}" for t in read_times)),
            ("cfc-sim report (html + xlsx)", f"{min(report_times):.2f}", " ".join(f"{t:.2f}" for t in report_times))]
    print(table(rows, ("process", "best s", "all runs s")))
    ratio = min(report_times) / min(read_times)
    print(f"report.html {html_mb:.1f} MB; report.xlsx {xlsx_mb:.1f} MB, rows: {rows_per_sheet}; "
          f"openpyxl.load_workbook opens it in {open_seconds:.1f} s")
    print(f"report / read = {ratio:.2f} ({verdict(ratio, GOAL, False)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
