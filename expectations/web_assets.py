"""Make GX Data Docs render offline: fetch their CDN scripts once, link them locally.

`python -m wirehouse.expectations.web_assets fetch DIR` (run by `make`) unpacks the npm packages
named in web_assets.json into DIR; after each build, `localize(site, DIR)` copies the
files the pages use into the site and rewrites the CDN links to relative ones. Links
whose file is not available stay as they are, so the docs still work online.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

SPEC = json.loads((Path(__file__).resolve().parent / "web_assets.json").read_text(encoding="utf-8"))
VENDOR_FOLDER = "static/vendor"


def fetch(dest: Path) -> list[str]:
    """Download the packages with `npm pack` and unpack each into DEST/<name>@<version>/."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed; Data Docs will load their scripts from CDNs instead")
    dest.mkdir(parents=True, exist_ok=True)
    fetched = []
    with tempfile.TemporaryDirectory(prefix="wirehouse-npm-") as work:
        for spec in SPEC["packages"]:
            target = dest / spec
            if target.is_dir():
                continue
            result = subprocess.run([npm, "pack", "--silent", spec], cwd=work, capture_output=True, text=True,
                                    timeout=300)
            if result.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {result.stderr.strip()[-500:]}")
            tarball = Path(work) / result.stdout.strip().splitlines()[-1]
            unpack = Path(work) / "unpack"
            with tarfile.open(tarball) as archive:
                archive.extractall(unpack, filter="data")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(unpack / "package"), target)
            shutil.rmtree(unpack, ignore_errors=True)
            fetched.append(spec)
    return fetched


def localize(site_dir: Path, assets_dir: Path | None) -> int:
    """Point every page of a Data Docs site at local copies; returns links rewritten."""
    if assets_dir is None or not assets_dir.is_dir():
        return 0
    available = {url: assets_dir / local for url, local in SPEC["links"].items() if (assets_dir / local).is_file()}
    if not available:
        return 0
    vendor = site_dir / VENDOR_FOLDER
    for url, source in available.items():
        target = vendor / SPEC["links"][url]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    for folder in SPEC.get("folders", []):  # files a stylesheet loads by relative path (fonts)
        if (assets_dir / folder).is_dir():
            shutil.copytree(assets_dir / folder, vendor / folder, dirs_exist_ok=True)
    rewritten = 0
    for page in site_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        relative = os.path.relpath(vendor, page.parent)
        changed = html
        for url in available:
            changed = changed.replace(url, f"{relative}/{SPEC['links'][url]}")
        if changed != html:
            rewritten += sum(html.count(url) for url in available)
            page.write_text(changed, encoding="utf-8")
    return rewritten


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "fetch":
        print("usage: python -m wirehouse.expectations.web_assets fetch DIR", file=sys.stderr)
        return 2
    try:
        fetched = fetch(Path(argv[1]))
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
        print(f"warning: {error}", file=sys.stderr)
        return 0  # optional: the docs fall back to CDN links
    print(f"Data Docs web assets in {argv[1]}" + (f" (fetched {', '.join(fetched)})" if fetched else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
