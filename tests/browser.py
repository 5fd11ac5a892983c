"""Debian's Chromium for the browser tests: where it is and how it is started here.

The background-networking flags keep Chromium from dialling out on this machine's closed network;
no browser is ever downloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: A test that drives Chromium, skipped only where it is not installed (as `pytestmark`).
CHROMIUM_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed"),
]
Test = TypeVar("Test", bound=Callable[..., Any])


def needs_chromium(test: Test) -> Test:
    """CHROMIUM_MARKS on one test."""
    for mark in CHROMIUM_MARKS:
        test = mark(test)
    return test


def launch_chromium(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
