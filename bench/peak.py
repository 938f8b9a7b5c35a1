"""``python -I -S bench/peak.py CMD…``: run CMD, print its peak RSS in KiB to stderr last.

A process's peak RSS counts the memory of the process it was forked from, until it
execs. The harness is large; this launcher is small, so CMD's figure is CMD's own
(give or take this launcher's few MiB). Standard output is CMD's.
"""

import os
import sys

pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ)
_pid, status, usage = os.wait4(pid, 0)
print(f"peak-rss-kib {usage.ru_maxrss}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
