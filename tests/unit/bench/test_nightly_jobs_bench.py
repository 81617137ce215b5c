"""bench/nightly_jobs.py runs the beat jobs in the order of the day, whatever their schedule type."""

import datetime as dt

from celery.schedules import crontab
from django.conf import settings

from bench.nightly_jobs import _schedule_order


def test_every_beat_job_has_a_place_in_the_day():
    # A schedule the bench cannot order (the outbox's plain seconds once broke it) fails here.
    keys = {job: _schedule_order(entry) for job, entry in settings.CELERY_BEAT_SCHEDULE.items()}

    assert len(keys) == len(settings.CELERY_BEAT_SCHEDULE)


def test_interval_jobs_first_then_by_hour_and_minute():
    schedule = {
        "late": {"schedule": crontab(hour=3, minute=30)},
        "every-minute": {"schedule": 60.0},
        "every-hour": {"schedule": dt.timedelta(hours=1)},
        "early": {"schedule": crontab(hour=1, minute=45)},
        "earliest": {"schedule": crontab(hour=1, minute=30)},
    }

    ordered = sorted(schedule, key=lambda job: (_schedule_order(schedule[job]), job))

    assert ordered == ["every-hour", "every-minute", "earliest", "early", "late"]
