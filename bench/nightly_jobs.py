"""Every Celery beat job timed on the full demo data, through the real tasks on a real worker.

    .venv/bin/python bench/nightly_jobs.py [--only loyalty.points_expire_due,...]

Starts our production stack with ``bench.stack.running_stack`` (PostgreSQL with the demo,
Redis, a Celery worker, localstripe: the pre-order release charges cards), or attaches to one
already running with ``--attach`` (its settings exported). Then, one job at a time in the
order of the day (``settings.CELERY_BEAT_SCHEDULE`` sorted by the hour and minute it first
runs), it queues the job's task through the broker exactly as beat would (``send_task`` with
the schedule's args), and reads the worker's own events (``task-succeeded``: the runtime
measured by the worker and the task's return value, its summary of what it touched). The
worker is told to send events with ``enable_events``; no result backend is needed.

A job may queue follow-up tasks (tier-change notices, campaign batches, emails); the bench
waits until the queue is empty and the worker idle before the next job, and reports those
follow-ups (count and time to drain) in their own columns.

Prints: job | task | seconds (worker runtime) | rows touched (the task's summary) | follow-ups |
drained after (s). Exits non-zero if a task failed or did not finish within ``--timeout``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

QUEUE_NAME = "celery"


@dataclass
class TaskEvents:
    """What the worker reported, by task id, gathered by a background event receiver."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    received: dict[str, str] = field(default_factory=dict)  # id -> task name
    finished: dict[str, dict] = field(default_factory=dict)  # id -> the final event
    last_event_at: float = 0.0
    receiver: object = None

    def on_event(self, event: dict) -> None:
        with self.lock:
            self.last_event_at = time.monotonic()
            if event["type"] == "task-received":
                self.received[event["uuid"]] = event.get("name", "")
            elif event["type"] in ("task-succeeded", "task-failed", "task-rejected"):
                self.finished[event["uuid"]] = event


def _events_listen(app, events: TaskEvents, ready: threading.Event) -> None:
    with app.connection() as connection:
        events.receiver = app.events.Receiver(connection, handlers={"*": events.on_event})
        ready.set()
        events.receiver.capture(limit=None, timeout=None, wakeup=True)


def _schedule_order(entry) -> tuple[int, int]:
    """(hour, minute) the crontab first fires in a day: the order beat would run them.

    Interval jobs (a number of seconds) run all day long: they come first.
    """
    schedule = entry["schedule"]
    if not hasattr(schedule, "hour"):
        return -1, 0
    return min(schedule.hour), min(schedule.minute)


@dataclass
class JobResult:
    job: str
    task: str
    seconds: float | None
    touched: str
    follow_ups: int
    drained_after: float
    error: str = ""


def _queue_idle(app, redis_client) -> bool:
    if redis_client.llen(QUEUE_NAME):
        return False
    inspect = app.control.inspect(timeout=1.0)
    active = inspect.active() or {}
    reserved = inspect.reserved() or {}
    return not any(active.values()) and not any(reserved.values())


def job_run(
    *, app, redis_client, events: TaskEvents, job: str, entry: dict, timeout: float
) -> JobResult:
    started = time.monotonic()
    with events.lock:
        known = set(events.received)
    result = app.send_task(
        entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}), queue=QUEUE_NAME
    )
    deadline = started + timeout
    final = None
    while time.monotonic() < deadline:
        with events.lock:
            final = events.finished.get(result.id)
        if final is not None:
            break
        time.sleep(0.2)
    if final is None:
        return JobResult(job, entry["task"], None, "", 0, time.monotonic() - started, "timeout")
    # Follow-ups: let the queue drain, so the next job is timed on an idle worker.
    while time.monotonic() < deadline and not _queue_idle(app, redis_client):
        time.sleep(0.5)
    drained_after = time.monotonic() - started
    with events.lock:
        follow_ups = len(set(events.received) - known - {result.id})
    if final["type"] != "task-succeeded":
        error = final.get("exception") or final["type"]
        return JobResult(job, entry["task"], None, "", follow_ups, drained_after, error)
    return JobResult(
        job,
        entry["task"],
        float(final.get("runtime", 0.0)),
        str(final.get("result", "")),
        follow_ups,
        drained_after,
    )


def demo_size() -> str:
    from django.contrib.auth import get_user_model
    from oscar.core.loading import get_model

    from loyalty.models import PointsTransaction

    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    return (
        f"{get_user_model().objects.count()} users, {Order.objects.count()} orders, "
        f"{Line.objects.count()} order lines, {PointsTransaction.objects.count()} points rows"
    )


def run(*, only: set[str], timeout: float) -> int:
    import redis
    from django.conf import settings

    from shop.celery import app

    schedule = sorted(
        settings.CELERY_BEAT_SCHEDULE.items(), key=lambda item: _schedule_order(item[1])
    )
    if only:
        schedule = [(job, entry) for job, entry in schedule if job in only or entry["task"] in only]
    redis_client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    events = TaskEvents()
    ready = threading.Event()
    listener = threading.Thread(target=_events_listen, args=(app, events, ready))
    listener.start()
    try:
        return _jobs_run(
            app=app,
            redis_client=redis_client,
            events=events,
            ready=ready,
            schedule=schedule,
            timeout=timeout,
        )
    finally:
        # Checked by the receiver between polls (every second): stop it before the stack
        # takes Redis away under it.
        if events.receiver is not None:
            events.receiver.should_stop = True
        listener.join(timeout=10)


def _jobs_run(*, app, redis_client, events, ready, schedule, timeout) -> int:
    ready.wait(10)
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=1.0):
        if time.monotonic() > deadline:
            print("no Celery worker answers a ping", file=sys.stderr)
            return 1
    app.control.enable_events()
    time.sleep(1)  # the worker's event dispatcher starts on the broadcast
    print(f"demo data: {demo_size()}", flush=True)
    results = []
    for job, entry in schedule:
        print(f"  running {job} ({entry['task']}) ...", flush=True)
        results.append(
            job_run(
                app=app,
                redis_client=redis_client,
                events=events,
                job=job,
                entry=entry,
                timeout=timeout,
            )
        )
    app.control.disable_events()
    print(
        f"\nload average {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n\n"
        "| job | task | seconds | rows touched (task's summary) | follow-up tasks | drained after (s) |\n"
        "|---|---|---|---|---|---|"
    )
    for result in results:
        seconds = f"{result.seconds:.2f}" if result.seconds is not None else "FAILED"
        touched = result.touched if not result.error else f"error: {result.error[:200]}"
        print(
            f"| {result.job} | {result.task} | {seconds} | {touched} | "
            f"{result.follow_ups} | {result.drained_after:.1f} |"
        )
    return 1 if any(result.error for result in results) else 0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="comma-separated job or task names")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per job")
    parser.add_argument(
        "--attach", action="store_true", help="use the stack whose settings are exported"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    if args.attach:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
        import django

        django.setup()
        return run(only=only, timeout=args.timeout)
    from bench.stack import running_stack

    with running_stack(workers=1) as stack:
        os.environ.update(stack.env)
        import django

        django.setup()
        with contextlib.suppress(KeyboardInterrupt):
            return run(only=only, timeout=args.timeout)
    return 1


if __name__ == "__main__":
    sys.exit(main())
