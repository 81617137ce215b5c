"""A Celery worker process killed (SIGKILL) in the middle of a points-awarding task.

The task is the nightly birthday bonus (``loyalty.birthday_bonuses_award``). A worker of this
test's own runs it (prefork, one child; the session's worker keeps serving the other tests)
with a test hook (``worker_hooks.py``) that holds the first delivery where the test wants to
kill it. What must hold, from ``shop/settings.py``: ``task_acks_late`` +
``task_reject_on_worker_lost`` put the message back when the process running it dies, and the
task's idempotency (one birthday bonus per member and year, a unique ledger constraint)
keeps the second run from paying twice.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from oscar.test.factories import UserFactory

from loyalty.models import MemberCard, PointsTransaction
from loyalty.services.bonuses import member_profile_set_date_of_birth
from loyalty.tasks import loyalty_birthday_bonuses_award
from shop.celery import app
from tests.factories.loyalty import earning_rules, member_card
from tests.integration.conftest import CeleryWorker, celery_worker_start, celery_worker_stop
from tests.waiting import wait_until

pytestmark = pytest.mark.integration

BIRTHDAY_BONUS_POINTS = 200


def test_the_settings_acknowledge_late_and_requeue_on_worker_loss():
    # The guarantees the tests below rely on, as production runs them (shop/settings.py).
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


@pytest.fixture
def birthday_member(transactional_db):
    earning_rules(birthday_bonus_points=BIRTHDAY_BONUS_POINTS, points_per_cny=Decimal("1"))
    user = UserFactory(email="birthday@campus.example")
    user.date_joined = timezone.now() - dt.timedelta(days=400)
    user.save(update_fields=["date_joined"])
    member_card(user=user)
    # Born today, in a leap year so that 29 February works too.
    member_profile_set_date_of_birth(
        user=user, date_of_birth=timezone.localdate().replace(year=2000)
    )
    return user


@dataclass(frozen=True)
class HeldWorker:
    worker: CeleryWorker
    queue: str
    marker_dir: Path

    def runs(self) -> list[str]:
        runs = self.marker_dir / "runs"
        return runs.read_text().split() if runs.exists() else []

    def held_pid(self) -> str:
        held = self.marker_dir / "held"
        return held.read_text() if held.exists() else ""


@pytest.fixture
def held_worker(request, tmp_path, transactional_db):
    """A prefork worker whose first run of the birthday task stops at ``request.param``.

    It consumes a queue of its own, so the session's worker never takes the task.
    """
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    worker = celery_worker_start(
        name=f"faults-worker-killed-{request.param}",
        app_module="tests.integration.faults.worker_hooks",
        pool="prefork",
        queue=queue,
        extra_env={
            "FAULTS_HOLD_TASK": loyalty_birthday_bonuses_award.name,
            "FAULTS_HOLD_AT": request.param,
            "FAULTS_MARKER_DIR": str(tmp_path),
        },
    )
    yield HeldWorker(worker=worker, queue=queue, marker_dir=tmp_path)
    celery_worker_stop(worker)


def _birthday_bonuses(user):
    account = MemberCard.objects.get(user=user).account
    return PointsTransaction.objects.filter(
        account=account,
        kind=PointsTransaction.Kind.BONUS,
        bonus_type=PointsTransaction.BonusType.BIRTHDAY,
    )


@pytest.mark.parametrize("held_worker", ["points_saved", "task_finished"], indirect=True)
def test_killed_mid_task_the_task_runs_again_and_pays_once(birthday_member, held_worker):
    loyalty_birthday_bonuses_award.apply_async(queue=held_worker.queue)
    held_pid = wait_until(
        held_worker.held_pid,
        what="the worker did not reach the hold point",
        details=held_worker.worker.log_tail,
    )
    os.kill(int(held_pid), signal.SIGKILL)

    # No lost task: the message comes back and a new child process runs it to the end.
    wait_until(
        lambda: any(pid != held_pid for pid in held_worker.runs()),
        what="the killed task was not delivered again",
        details=held_worker.worker.log_tail,
    )
    assert "WorkerLostError" in held_worker.worker.log_path.read_text()
    # No double points: one bonus, whether the killed run had committed it or not.
    bonuses = _birthday_bonuses(birthday_member)
    assert list(bonuses.values_list("points", flat=True)) == [BIRTHDAY_BONUS_POINTS]
