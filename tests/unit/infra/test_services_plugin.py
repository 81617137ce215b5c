"""The integration plugin's behaviour when the servers cannot be had."""

from types import SimpleNamespace

import pytest

from tests.integration.conftest import database_url_for
from tests.plugins import services


@pytest.fixture
def no_server_binaries(monkeypatch):
    monkeypatch.setattr(services, "find_postgres_bin_dir", lambda: None)
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///untouched.sqlite3")
    monkeypatch.delenv("REDIS_URL", raising=False)


def early_config():
    return SimpleNamespace(stash=pytest.Stash())


def test_missing_binaries_locally_skip_with_an_install_hint(no_server_binaries, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    config = early_config()

    services.pytest_load_initial_conftests(early_config=config, parser=None, args=[])

    reason = config.stash[services.SERVICES_KEY].unavailable_reason
    assert "PostgreSQL" in reason and "redis-server" in reason
    assert "apt-get install postgresql redis-server" in reason
    # Nothing was exported: the session keeps its SQLite settings.
    assert services.os.environ["DATABASE_URL"] == "sqlite:///untouched.sqlite3"
    assert "REDIS_URL" not in services.os.environ


def test_missing_binaries_under_ci_fail_the_session(no_server_binaries, monkeypatch):
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.UsageError, match="apt-get install"):
        services.pytest_load_initial_conftests(early_config=early_config(), parser=None, args=[])


def test_worker_database_url_swaps_only_the_database_name(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:54321/shop")

    assert database_url_for("test_shop") == "postgres://postgres@127.0.0.1:54321/test_shop"


def test_free_loopback_port_can_be_bound():
    import socket

    port = services.free_loopback_port()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
