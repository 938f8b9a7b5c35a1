"""The stylesheet, fonts and icons of Designers Italia's kit as served: fingerprinted URLs
cached for a year, every file the stylesheet and the templates name present, nothing from
another origin, and the weight of a public page's static files within its budget."""

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor" / "bootstrap-italia"
#: What a public page's stylesheets and script may weigh together, uncompressed (the kit's
#: subset is about 240 KB; its full build alone is 612 KB). Fonts are counted apart.
STATIC_BUDGET = 300 * 1024


def linked_static(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_event_page_links_fingerprinted_static_files_cached_for_a_year(client, create_event):
    event = create_event()
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    links = linked_static(html)
    assert any("vendor/bootstrap-italia/css/bootstrap-italia.min.css?v=" in u for u in links)
    assert any("css/site.css?v=" in u for u in links)
    for url in links:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_site_icon_is_linked_and_found_where_browsers_look_without_the_link(
    client, create_event
):
    event = create_event()
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    [icon] = re.findall(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    linked = client.get(icon)
    assert linked.status_code == 200 and linked.mimetype == "image/svg+xml"
    found = client.get("/favicon.ico")
    assert found.status_code == 200 and found.mimetype == "image/svg+xml"
    assert found.data == linked.data


def test_fonts_named_with_their_hash_are_cached_for_a_year(client):
    fonts = sorted((VENDOR / "fonts").glob("*.woff2"))
    assert fonts
    for font in fonts:
        response = client.get(f"/static/vendor/bootstrap-italia/fonts/{font.name}")
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_static_file_without_its_current_fingerprint_is_revalidated(client):
    assert client.get("/static/css/site.css").headers["Cache-Control"] == "no-cache"
    stale = client.get("/static/css/site.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/../app.py?v=1").status_code == 404


def test_public_page_static_files_stay_within_budget(client, create_event):
    event = create_event()
    html = client.get(f"/events/{event.slug}/").get_data(as_text=True)
    sizes = {url: len(client.get(url).data) for url in linked_static(html)}
    assert sum(sizes.values()) <= STATIC_BUDGET, sizes


def test_every_file_the_kits_stylesheet_names_is_vendored_and_local():
    css = (VENDOR / "css" / "bootstrap-italia.min.css").read_text()
    urls = [u.strip("'\"") for u in re.findall(r"url\(([^)]+)\)", css)]
    files = [u for u in urls if not u.startswith("data:")]
    assert files, "the font faces should name their files"
    for url in files:
        assert "//" not in url, f"{url}: nothing from another origin"
        assert (VENDOR / "css" / url).resolve().is_file(), url


def test_vendored_kit_is_the_pinned_version():
    pinned = json.loads((ROOT / "assets" / "package.json").read_text())["devDependencies"]
    assert f"bootstrap-italia {pinned['bootstrap-italia']} " in (VENDOR / "VERSION").read_text()


def test_every_icon_the_templates_use_is_in_the_sprite():
    sprite = (VENDOR / "svg" / "sprites.svg").read_text()
    used = set()
    for template in (ROOT / "templates").rglob("*.html"):
        used |= set(re.findall(r'icon\("(it-[a-z-]+)"', template.read_text()))
    assert used, "the templates use the kit's icons"
    missing = [name for name in sorted(used) if f'<symbol id="{name}"' not in sprite]
    assert not missing, f"run make vendor after adding them to assets/vendor.py: {missing}"
