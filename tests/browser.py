"""Headless Chromium for tests that look at pages as a person would."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--allow-file-access-from-files",
]


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("headless Chromium is not installed: `make test` installs the Debian package `chromium`; "
                "or run `apt-get install chromium`")


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory(prefix="wirehouse-chromium-") as profile:
        return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout)


def rendered_dom(page: Path, wait_ms: int = 3000, timeout: float = 120) -> str:
    """The page's DOM after its scripts ran."""
    result = _run([f"--virtual-time-budget={wait_ms}", "--dump-dom", page.absolute().as_uri()], timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def screenshot(page: Path, png: Path, size: str = "1280,2000", wait_ms: int = 3000, timeout: float = 120) -> Path:
    result = _run([f"--virtual-time-budget={wait_ms}", f"--screenshot={png}", f"--window-size={size}",
                   page.absolute().as_uri()], timeout)
    assert result.returncode == 0 and png.exists(), result.stderr[-2000:]
    return png
