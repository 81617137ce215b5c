"""Each localstripe keeps state of its own: two stacks side by side never share their data.

localstripe itself keeps everything in one fixed file, /tmp/localstripe.pickle, so every copy
on the machine loaded (and overwrote) the others' customers and payments. Ours start through
``deploy.localstripe``, as ``deploy.prod.app_commands`` builds the command for ``make prod``, the
benchmarks and ``live_store``: state in memory, or in a file of the stack's own.
"""

from __future__ import annotations

import os
import uuid

import pytest
import requests

from deploy.prod import app_commands, start, stop
from deploy.servers import ServiceUnavailable, free_loopback_port, wait_for_port

pytestmark = pytest.mark.integration

HOST = "127.0.0.1"
AUTH = {"Authorization": "Bearer sk_test_localstripe"}


def _localstripe(tmp_path, name: str, **options):
    stripe_port = free_loopback_port()
    command = app_commands(
        host=HOST,
        port=free_loopback_port(),
        stripe_port=stripe_port,
        workers=1,
        celery_worker=False,
        celery_beat=False,
        **options,
    )["localstripe"]
    process = start(name, command, dict(os.environ), log_dir=tmp_path)
    url = f"http://{HOST}:{stripe_port}"
    try:
        wait_for_port(stripe_port, process=process, what="localstripe")
    except ServiceUnavailable:
        stop(name, process)
        raise
    return url, process


def _customer_emails(url: str) -> set[str]:
    response = requests.get(f"{url}/v1/customers", params={"limit": 100}, headers=AUTH, timeout=10)
    response.raise_for_status()
    return {customer["email"] for customer in response.json()["data"]}


def test_two_stacks_localstripes_keep_their_own_state(tmp_path):
    email = f"{uuid.uuid4().hex[:12]}@stack-a.example"
    first_url, first = _localstripe(tmp_path, "localstripe-a")
    try:
        requests.post(
            f"{first_url}/v1/customers", data={"email": email}, headers=AUTH, timeout=10
        ).raise_for_status()
        # A second stack starts while the first one runs (make prod beside a benchmark).
        second_url, second = _localstripe(tmp_path, "localstripe-b")
        try:
            assert email not in _customer_emails(second_url)
            assert email in _customer_emails(first_url)
        finally:
            stop("localstripe-b", second)
    finally:
        stop("localstripe-a", first)


def test_make_prods_localstripe_finds_its_own_state_after_a_restart(tmp_path):
    state_file = tmp_path / "prod" / "localstripe.pickle"
    email = f"{uuid.uuid4().hex[:12]}@prod.example"
    url, process = _localstripe(tmp_path, "localstripe-prod", stripe_state_file=state_file)
    try:
        requests.post(
            f"{url}/v1/customers", data={"email": email}, headers=AUTH, timeout=10
        ).raise_for_status()
    finally:
        stop("localstripe-prod", process)
    other_url, other = _localstripe(tmp_path, "localstripe-other")
    try:
        assert email not in _customer_emails(other_url)
    finally:
        stop("localstripe-other", other)

    url, process = _localstripe(tmp_path, "localstripe-prod", stripe_state_file=state_file)
    try:
        assert email in _customer_emails(url)
    finally:
        stop("localstripe-prod", process)
