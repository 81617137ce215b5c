"""Celery app for a fault test's own worker: the shop's app plus a hook that holds one task.

Started as ``celery --app tests.integration.faults.worker_hooks worker``; production code is
untouched. ``FAULTS_HOLD_TASK`` names the task, ``FAULTS_HOLD_AT`` where its first delivery
stops and waits to be killed:

* ``points_saved``: right after it saved a points ledger row, inside its transaction;
* ``task_finished``: after it returned and committed, before the worker acknowledged it.

The held process writes its pid to ``$FAULTS_MARKER_DIR/held`` (created atomically, so only
the first delivery holds); every finished run appends a line to ``$FAULTS_MARKER_DIR/runs``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from celery.signals import task_postrun, task_prerun
from django.db.models.signals import post_save

from shop.celery import app

HOLD_TASK = os.environ.get("FAULTS_HOLD_TASK", "")
HOLD_AT = os.environ.get("FAULTS_HOLD_AT", "")
MARKER_DIR = Path(os.environ.get("FAULTS_MARKER_DIR", "."))
# Far longer than any test waits before killing the process: a hook that is never killed
# still ends, and the test then fails on its own timeout.
HOLD_SECONDS = 120

_current_task = threading.local()

__all__ = ["app"]


def _hold_first_delivery() -> None:
    staging = MARKER_DIR / f"held.{os.getpid()}"
    staging.write_text(str(os.getpid()))
    try:
        # link() fails if "held" exists: exactly one delivery holds, later ones run through.
        os.link(staging, MARKER_DIR / "held")
    except FileExistsError:
        return
    finally:
        staging.unlink()
    threading.Event().wait(HOLD_SECONDS)


@task_prerun.connect
def _remember_task(sender=None, **kwargs):
    _current_task.name = sender.name if sender is not None else ""


@task_postrun.connect
def _after_task(sender=None, **kwargs):
    if sender is None or sender.name != HOLD_TASK:
        return
    with (MARKER_DIR / "runs").open("a") as runs:
        runs.write(f"{os.getpid()}\n")
    if HOLD_AT == "task_finished":
        _hold_first_delivery()


def _after_points_saved(sender, instance, created, **kwargs):
    if created and HOLD_AT == "points_saved" and getattr(_current_task, "name", "") == HOLD_TASK:
        _hold_first_delivery()


post_save.connect(_after_points_saved, sender="loyalty.PointsTransaction", weak=False)
