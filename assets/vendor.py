"""Refresh static/vendor/bootstrap-italia/ from the kit pinned in assets/package.json.

Run by `make vendor` (needs Node.js and npm): installs the pinned packages, compiles the
subset of Bootstrap Italia listed in assets/bootstrap-italia.scss (plus the Titillium Web
font faces) into one minified stylesheet, copies the fonts it names and the icons the
templates use (a sprite with only those symbols), the licences, and writes VERSION.
"""

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent
ROOT = ASSETS.parent
KIT = ASSETS / "node_modules" / "bootstrap-italia"
OUT = ROOT / "static" / "vendor" / "bootstrap-italia"
FONTS = ("regular", "italic", "600", "700")
#: Icons used by templates (`{{ icon("it-calendar") }}`); a new one is added here.
ICONS = (
    "it-calendar",
    "it-clock",
    "it-map-marker-circle",
    "it-video",
    "it-user",
    "it-mail",
    "it-download",
    "it-check-circle",
    "it-close-circle",
    "it-info-circle",
    "it-warning-circle",
    "it-arrow-up",
    "it-arrow-down",
    "it-expand",
    "it-search",
    "it-print",
    "it-pencil",
    "it-plus-circle",
    "it-copy",
    "it-chart-line",
    "it-files",
    "it-logout",
    "it-pa",
    "it-file-csv",
    "it-file-xlsx",
    "it-funnel",
    "it-link",
    "it-telephone",
    "it-settings",
    "it-list",
    "it-inbox",
    "it-key",
)


def run(*command: str) -> None:
    print("+", " ".join(command))
    subprocess.run(command, cwd=ASSETS, check=True)


def sprite_subset(source: str, names: tuple[str, ...]) -> str:
    symbols = {
        match["id"]: match[0]
        for match in re.finditer(r'<symbol id="(?P<id>[^"]+)".*?</symbol>', source, re.S)
    }
    missing = [name for name in names if name not in symbols]
    if missing:
        sys.exit(f"icons not in the kit's sprite: {', '.join(missing)}")
    body = "".join(symbols[name] for name in names)
    return f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>\n'


def main() -> None:
    run("npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts")
    version = json.loads((KIT / "package.json").read_text())["version"]
    (OUT / "css").mkdir(parents=True, exist_ok=True)
    (OUT / "fonts").mkdir(parents=True, exist_ok=True)
    (OUT / "svg").mkdir(parents=True, exist_ok=True)
    for old in (OUT / "fonts").glob("*"):
        old.unlink()
    files = {}
    for name in FONTS:
        source = (
            KIT
            / "dist"
            / "fonts"
            / "Titillium_Web"
            / f"titillium-web-v10-latin-ext_latin-{name}.woff2"
        )
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:10]
        files[name] = f"titillium-web-{name}.{digest}.woff2"
        shutil.copy(source, OUT / "fonts" / files[name])
    shutil.copy(KIT / "dist" / "fonts" / "Titillium_Web" / "OFL.txt", OUT / "fonts" / "OFL.txt")
    with tempfile.TemporaryDirectory() as build:
        entries = ", ".join(f"'{name}': '{file}'" for name, file in files.items())
        Path(build, "_font-files.scss").write_text(f"$font-files: ({entries});\n")
        run(
            "node_modules/.bin/sass",
            f"--load-path={KIT / 'src' / 'scss'}",
            f"--load-path={build}",
            "--style=compressed",
            "--no-source-map",
            "--quiet-deps",
            "--silence-deprecation=import,global-builtin,color-functions",
            "bootstrap-italia.scss",
            str(OUT / "css" / "bootstrap-italia.min.css"),
        )
    sprite = (KIT / "dist" / "svg" / "sprites.svg").read_text()
    (OUT / "svg" / "sprites.svg").write_text(sprite_subset(sprite, ICONS))
    shutil.copy(KIT / "LICENSE", OUT / "LICENSE")
    (OUT / "VERSION").write_text(
        f"bootstrap-italia {version} (npm), subset compiled by `make vendor` from "
        "assets/bootstrap-italia.scss\n"
    )
    print(f"static/vendor/bootstrap-italia: Bootstrap Italia {version}")


if __name__ == "__main__":
    main()
