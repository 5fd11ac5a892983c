"""Shared pytest set-up: Hypothesis profiles, and the headless browser of the browser tests.

`default` is Hypothesis's own defaults (tests that drive the whole CLI ask for fewer examples,
see tests/test_fuzz.py), so CI stays fast. `long` (HYPOTHESIS_PROFILE=long, as `make fuzz` sets
it) runs every property far longer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

settings.register_profile("default", settings.get_profile("default"))
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# CI explores the same examples on every run, so a red run is the code's doing, not the draw's;
# the random exploration happens on developers' machines and in `make fuzz`.
settings.register_profile("ci", derandomize=True, print_blob=True)
default = "ci" if os.environ.get("CI") == "true" else "default"
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, once per module (Playwright is imported by the tests that use it)."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch_chromium

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page, 1200 × 900, in an English browser."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()
