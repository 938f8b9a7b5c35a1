"""CPU time of a gunicorn server: its master and workers, read from /proc (Linux).

The registration figures report milliseconds of server CPU per request: the CPU seconds
the server's processes used during a load phase, divided by the requests answered. The
load generator runs in other processes, so its own CPU is not counted.
"""

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may contain spaces.
    return text[text.rindex(")") + 2 :].split()


def process_tree_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) of *pid* and its direct children; None without /proc."""
    if not Path("/proc").is_dir():
        return None
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        # After the name: state, ppid, …; utime and stime are fields 14 and 15 of the line.
        if fields is None or (int(entry.name) != pid and int(fields[1]) != pid):
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total
