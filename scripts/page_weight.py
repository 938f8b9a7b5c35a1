"""What a visitor's browser downloads for the public pages: bytes per resource, in Chromium.

    .venv/bin/python scripts/page_weight.py [--url http://127.0.0.1:5000]

Without --url, serves the demo on a loopback port (as scripts/screenshots.py does). Loads
the home page, the demo event's page and its registration form with an empty cache and
prints, per page, each resource's size as served and gzip-compressed (what a reverse proxy
with compression on sends), and the totals. Fonts are counted when the page uses them.
"""

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import browser as b  # noqa: E402


def weigh(context, url: str) -> list[tuple[str, int, int]]:
    """(path, bytes, gzip bytes) of every response while *url* loads, cache empty."""
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    seen: list[tuple[str, int, int]] = []
    for response in responses:  # bodies read after the load: not inside the event handler
        if 300 <= response.status < 400:
            continue
        body = response.body()
        path = "/" + response.url.split("//", 1)[-1].split("/", 1)[-1]
        seen.append((path, len(body), len(gzip.compress(body, 6))))
    page.close()
    return seen


def report(name: str, rows: list[tuple[str, int, int]]) -> None:
    print(f"\n{name}")
    for path, raw, packed in rows:
        print(f"  {raw / 1024:8.1f} KiB  {packed / 1024:7.1f} KiB gz  {path[:70]}")
    raw = sum(r[1] for r in rows)
    packed = sum(r[2] for r in rows)
    print(f"  {raw / 1024:8.1f} KiB  {packed / 1024:7.1f} KiB gz  total, {len(rows)} requests")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server; default: serve the demo here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, b.chromium() as chromium:
        if args.url:
            base, slug = args.url.rstrip("/"), None
        else:
            site_cm = b.serve_demo(Path(tmp) / "demo.db")
            site = site_cm.__enter__()
            base, slug = site.base_url, site.demo_slug
        if slug is None:
            slug = "comunita-energetica-crema"
        for name, path in [
            ("home page", "/"),
            ("event page", f"/events/{slug}/"),
            ("registration form", f"/events/{slug}/register"),
        ]:
            context = b.new_context(chromium, width=390)
            report(name, weigh(context, base + path))
            context.close()


if __name__ == "__main__":
    main()
