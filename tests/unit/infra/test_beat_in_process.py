"""Under ``make run`` (no broker) Celery beat runs each due job in its own process, once.

``shop.beat.InProcessScheduler`` is the embedded profile's ``CELERY_BEAT_SCHEDULER``: a job
that is due runs right away in the beat process; one that is not due does not run; a job whose
time passed while beat was stopped runs once at the next start.
"""

from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from shop.beat import InProcessScheduler
from shop.celery import app as celery_app

pytestmark = pytest.mark.django_db

CALLS: list[str] = []
DAILY = crontab(hour=6, minute=30)


@celery_app.task(name="tests.beat_probe")
def beat_probe(name: str) -> str:
    CALLS.append(name)
    if name == "broken":
        raise RuntimeError("probe failure")
    return name


@pytest.fixture
def probe_schedule():
    CALLS.clear()
    schedule = {
        name: {"task": "tests.beat_probe", "schedule": DAILY, "kwargs": {"name": name}}
        for name in ("missed", "later", "broken")
    }
    shop_schedule = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = schedule
    yield schedule
    celery_app.conf.beat_schedule = shop_schedule


def _run_due(scheduler: InProcessScheduler, ticks: int = 6) -> None:
    for _ in range(ticks):
        scheduler.tick()


def test_the_embedded_profile_uses_the_in_process_scheduler(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER
    assert settings.CELERY_BEAT_SCHEDULER == "shop.beat:InProcessScheduler"


def test_a_missed_run_runs_in_process_once_and_a_job_not_due_does_not(probe_schedule):
    # First start: every job is recorded as seen now, nothing is due yet.
    _run_due(InProcessScheduler(app=celery_app))
    assert CALLS == []
    assert not PeriodicTask.objects.filter(name__in=probe_schedule, last_run_at=None).exists()

    # Beat was stopped over a 06:30 for "missed" and "broken"; "later" ran a moment ago.
    two_days_ago = timezone.now() - timedelta(days=2)
    PeriodicTask.objects.filter(name__in=["missed", "broken"]).update(last_run_at=two_days_ago)
    PeriodicTask.objects.filter(name="later").update(last_run_at=timezone.now())

    scheduler = InProcessScheduler(app=celery_app)
    _run_due(scheduler)
    scheduler.sync()

    # Ran here, in this process, each once; a failing job is logged and the others go on.
    assert sorted(CALLS) == ["broken", "missed"]
    missed = PeriodicTask.objects.get(name="missed")
    assert missed.total_run_count == 1
    assert missed.last_run_at > two_days_ago

    # Another start the same day finds nothing due any more.
    _run_due(InProcessScheduler(app=celery_app))
    assert sorted(CALLS) == ["broken", "missed"]
