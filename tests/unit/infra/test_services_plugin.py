"""The integration plugin's behaviour when the servers cannot be had."""

import socket
from types import SimpleNamespace

import pytest

from deploy import servers
from deploy.servers import free_loopback_port
from tests.integration.conftest import database_url_for
from tests.plugins import services


@pytest.fixture
def no_server_binaries(monkeypatch):
    monkeypatch.setattr(servers, "find_postgres_bin_dir", lambda: None)
    monkeypatch.setattr(servers.shutil, "which", lambda name: None)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///untouched.sqlite3")
    monkeypatch.delenv("REDIS_URL", raising=False)


def early_config():
    return SimpleNamespace(stash=pytest.Stash())


def test_missing_binaries_fail_the_session_with_the_install_command(
    no_server_binaries, monkeypatch
):
    # Outside CI too: a session that skipped every integration test would pass green.
    monkeypatch.delenv("CI", raising=False)
    config = early_config()

    with pytest.raises(pytest.UsageError) as failure:
        services.pytest_load_initial_conftests(early_config=config, parser=None, args=[])

    reason = str(failure.value)
    assert "PostgreSQL" in reason and "redis-server" in reason
    assert "deploy/system-packages.sh postgresql redis-server" in reason
    # Nothing was exported: the session keeps its SQLite settings.
    assert services.os.environ["DATABASE_URL"] == "sqlite:///untouched.sqlite3"
    assert "REDIS_URL" not in services.os.environ
    assert services.SERVICES_KEY not in config.stash


def test_worker_database_url_swaps_only_the_database_name(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:54321/shop")

    assert database_url_for("test_shop") == "postgres://postgres@127.0.0.1:54321/test_shop"


def test_free_loopback_port_can_be_bound():
    port = free_loopback_port()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
