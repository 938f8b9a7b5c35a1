"""A smoke run of the benchmark harness (`make bench`) at tiny sizes, so that it cannot rot.

Only that it runs and reports every figure is checked: no timing is asserted here.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"

#: The figures each group (``--only``) reports; the web group measures the POSTs too.
FIGURES = {
    "web": [
        "Event page GET",
        "Event page GET, rendered on every request",
        "Registration POST, SQLite",
        "Registration POST, PostgreSQL",
        "Registration POST (waiting list), SQLite, vs fair baseline",
        "Registration POST (confirmed, invitation), SQLite, vs fair baseline",
        "/calendar.ics full GET",
        "/calendar.ics conditional GET → 304",
    ],
    "exports": [
        "CSV export, 20 registrations",
        "XLSX export, 20 registrations",
        "CSV export, 40 registrations",
        "XLSX export, 40 registrations",
        "CSV export memory, 40 vs 20 registrations",
    ],
    "list": [
        "Registrations list, first page",
        "Registrations list, filtered and sorted page",
        "Registrations list, 5 question columns",
    ],
    "organizer": [
        "Organiser: dashboard",
        "Organiser: registrations list, first page",
        "Organiser: registrations list, filtered and sorted page",
        "Organiser: registrations list, 5 question columns",
        "Organiser: energy-community panel",
    ],
    "rush": ["Rush: 20 visitors in 2 s, page + form + POST + next page"],
    "instructions": [
        "Registration POST (waiting list), instructions, vs fair baseline",
        "Registration POST (confirmed), instructions, vs fair baseline",
    ],
}

RATIO_FIGURES = {
    "web": [
        "Event page GET",
        "Event page GET, rendered on every request",
        "Registration POST, SQLite",
        "Registration POST (waiting list), SQLite, vs fair baseline",
        "Registration POST (confirmed, invitation), SQLite, vs fair baseline",
        "/calendar.ics conditional GET → 304",
    ],
    "exports": ["CSV export, 20 registrations", "CSV export, 40 registrations"],
    # Counted under valgrind, on every machine of this project (see bench/instructions.py).
    "instructions": FIGURES["instructions"] if shutil.which("valgrind") else [],
}


# One run per group, so that the runs share the test workers.
@pytest.mark.parametrize("group", FIGURES)
@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in .venv")
def test_harness_runs_at_tiny_sizes_and_reports_every_figure(tmp_path, group):
    output = tmp_path / "results.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EVENTSREG_", "BENCH_"))}
    # PostgreSQL only when the test suite has one; its row then says "skipped" otherwise.
    postgres = os.environ.get("EVENTSREG_TEST_DATABASE_URL") or "0"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            f"--only={group}",
            "--sizes=20,40",
            "--seconds=0.5",
            "--rounds=1",
            "--clients=2",
            # One worker per server: the same code paths, half the processes to start.
            "--workers=1",
            "--feed-events=30",
            f"--postgres={postgres}",
            f"--output={output}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = output.read_text()
    rows = {
        cells[0]: cells
        for line in report.splitlines()
        if line.startswith("| ") and not line.startswith("| figure")
        for cells in [[c.strip() for c in line.strip("|").split(" | ")]]
    }
    for figure in FIGURES[group]:
        assert any(name.startswith(figure) for name in rows), f"{figure} missing:\n{report}"
        assert figure.split(",")[0] in result.stdout
    for figure in RATIO_FIGURES.get(group, []):
        ratio = rows[next(name for name in rows if name.startswith(figure))][4]
        assert re.fullmatch(r"\d+\.\d\d", ratio), (figure, ratio)
    # Every request of the smoke run was answered as expected (valid forms, 304s).
    assert "errors" not in report, report
    if group == "web":
        assert "calendar built 0×" in report
    if group == "organizer":
        # The dashboard's and energy panel's first view after a worker's warm-up is measured.
        assert report.count("after its warm-up") == 2, report
