"""Racing actions against PostgreSQL: each in its own thread and connection, started together.

The integration tests that prove a lock holds (a credit limit, the last unit of stock, the
last pre-order unit) all race the same way; each names what a success and a refusal read as.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.core.exceptions import ValidationError
from django.db import connection


def _refused(exc: BaseException) -> str:
    return "refused"


def run_at_once(
    actions: Iterable[Callable[[], object]],
    *,
    succeeded: str,
    refused: type[BaseException] | tuple[type[BaseException], ...] = ValidationError,
    refusal: Callable[[BaseException], str] = _refused,
    timeout: float | None = None,
) -> list[str]:
    """Release every action at the same moment; one outcome each, in the order they ended.

    An action that returns reads as ``succeeded``; one that raises ``refused`` reads as
    ``refusal(exception)``; any other exception as ``error: …``, so the test's assertion
    on the outcomes shows it. Each thread closes its own database connection.
    """
    actions = list(actions)
    start = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action) -> None:
        try:
            start.wait()
            try:
                action()
                outcome = succeeded
            except refused as exc:
                outcome = refusal(exc)
            except Exception as exc:
                outcome = f"error: {exc!r}"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
