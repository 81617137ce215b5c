"""Waiting for a condition: poll it, with a ceiling that only stops a hung test.

The tests share a machine with other work (two cores, several jobs), where a worker, a server or
a browser may take many times its usual time. So a test never sleeps a fixed time and hopes:
it polls what it waits for, which a passing run sees at once, and fails only after a ceiling
no healthy run comes near.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

WAIT_TIMEOUT_SECONDS = 120
POLL_INTERVAL_SECONDS = 0.1


def wait_until(
    condition: Callable[[], object],
    *,
    what: str,
    timeout: float = WAIT_TIMEOUT_SECONDS,
    details: Callable[[], str] = lambda: "",
) -> object:
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout:.0f}s\n{details()}")
        time.sleep(POLL_INTERVAL_SECONDS)
