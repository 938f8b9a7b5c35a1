"""``python -m bench``: run the benchmarks (``make bench``)."""

from .run import main

raise SystemExit(main())
