"""Shared pytest set-up: Hypothesis profiles.

`default` is Hypothesis's own defaults (tests that drive the whole CLI ask for fewer examples,
see tests/test_fuzz.py), so CI stays fast. `long` (HYPOTHESIS_PROFILE=long, as `make fuzz` sets
it) runs every property far longer.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
