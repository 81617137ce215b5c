"""`make run` and `make test` on a fresh clone: the Debian packages each needs first, pip only
for a changed lock file, one migrate, logins once.

The Makefile runs in a scratch copy whose ``.venv/bin`` programs and
``deploy/system-packages.sh`` only write down how they were called, so the recipes' shell logic
is what is tested, without installing or serving. The real ``deploy/system-packages.sh`` runs
against a fake ``dpkg``, ``apt-get``, ``sudo`` and ``id`` on ``PATH``.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

FAKE_PROGRAM = '#!/bin/bash\necho "$(basename "$0") $*" >> "$CALLS"\n'
PROJECT_DIR = Path(settings.BASE_DIR)
TEST_PACKAGES = "gettext postgresql redis-server chromium chromium-driver"


def _fake_program(path: Path, script: str = FAKE_PROGRAM) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(script)
    path.chmod(0o755)


@pytest.fixture
def project(tmp_path):
    shutil.copy(PROJECT_DIR / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements").mkdir()
    for name in ("base.txt", "dev.txt"):
        shutil.copy(PROJECT_DIR / "requirements" / name, tmp_path / "requirements")
    for program in ("python", "celery", "ruff"):
        _fake_program(tmp_path / ".venv" / "bin" / program)
    _fake_program(tmp_path / "deploy" / "system-packages.sh")
    return tmp_path


def _make(project: Path, *targets: str) -> list[str]:
    calls = project / "calls.log"
    calls.write_text("")
    env = {**os.environ, "CALLS": str(calls), "PORT": "8999", "STRIPE_PORT": "8998"}
    env.pop("DATABASE_URL", None)
    env.pop("MAKEFLAGS", None)
    subprocess.run(
        ["make", "--no-print-directory", *targets],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        # A guard against a hung make, not a speed check.
        timeout=600,
    )
    return calls.read_text().splitlines()


def _pip_installs(calls: list[str]) -> int:
    return sum("pip install" in call for call in calls)


def test_pip_runs_again_only_when_the_lock_files_change(project):
    assert _pip_installs(_make(project, "deps")) == 1
    time.sleep(1.1)
    (project / "requirements" / "dev.txt").touch()  # newer, same content (a checkout, a pull)
    assert _pip_installs(_make(project, "deps")) == 0
    time.sleep(1.1)
    with (project / "requirements" / "dev.txt").open("a") as lock:
        lock.write("\n# changed\n")
    assert _pip_installs(_make(project, "deps")) == 1


def test_run_on_a_fresh_clone_migrates_once_and_loads_the_demo_without_its_logins(project):
    calls = _make(project, "run")

    assert sum("manage.py migrate" in call for call in calls) == 1
    loads = [call for call in calls if "manage.py load_demo" in call]
    assert loads == ["python manage.py load_demo --no-logins"]
    # The logins are printed once, by run itself, after the URLs.
    assert sum(call.startswith("python -c") for call in calls) == 1

    (project / "db.sqlite3").touch()  # what the real migrate made
    again = _make(project, "run")
    assert sum("manage.py migrate" in call for call in again) == 1
    assert not any("load_demo" in call for call in again)


@pytest.mark.parametrize(
    "goal, packages",
    [
        ("run", "gettext"),
        ("prod", "gettext postgresql redis-server"),
        ("test", TEST_PACKAGES),
        ("test-unit", "gettext chromium chromium-driver"),
        ("test-integration", "gettext postgresql redis-server"),
    ],
)
def test_each_goal_installs_its_debian_packages_first(project, goal, packages):
    (project / "db.sqlite3").touch()
    (project / "var").mkdir()
    (project / "var" / "demo-loaded").write_text("db.sqlite3\n")

    calls = [call for call in _make(project, goal) if "pip install" not in call]

    assert calls[0] == f"system-packages.sh {packages}"
    assert sum(call.startswith("system-packages.sh") for call in calls) == 1


def _run_system_packages(tmp_path: Path, *, installed: set[str], uid: int) -> list[str]:
    """deploy/system-packages.sh with fakes that record every apt-get (and sudo) call."""
    fakes = tmp_path / "fake-bin"
    calls = tmp_path / "calls.log"
    calls.write_text("")
    _fake_program(
        fakes / "dpkg",
        f'#!/bin/bash\ncase " {" ".join(sorted(installed))} " in *" $2 "*) exit 0;; esac\nexit 1\n',
    )
    _fake_program(fakes / "id", f"#!/bin/bash\necho {uid}\n")
    _fake_program(fakes / "apt-get")
    _fake_program(fakes / "sudo", '#!/bin/bash\necho "sudo $*" >> "$CALLS"\n"$@"\n')
    # env as sudo's target: it shows which variables reach apt-get.
    _fake_program(
        fakes / "env",
        '#!/bin/bash\nwhile [[ $1 == *=* ]]; do echo "env $1" >> "$CALLS"; export "$1"; shift; done\n'
        '"$@"\n',
    )
    subprocess.run(
        [PROJECT_DIR / "deploy" / "system-packages.sh", *TEST_PACKAGES.split()],
        env={"PATH": f"{fakes}:/usr/bin:/bin", "CALLS": str(calls)},
        check=True,
        capture_output=True,
        timeout=600,
    )
    return calls.read_text().splitlines()


def test_system_packages_only_asks_dpkg_when_all_are_installed(tmp_path):
    assert _run_system_packages(tmp_path, installed=set(TEST_PACKAGES.split()), uid=1000) == []


def test_system_packages_installs_the_missing_ones_through_sudo_without_starting_servers(
    tmp_path,
):
    calls = _run_system_packages(tmp_path, installed={"gettext", "chromium"}, uid=1000)

    assert calls[0] == "sudo apt-get update -qq"
    assert "env DEBIAN_FRONTEND=noninteractive" in calls
    assert "env RUNLEVEL=1" in calls
    assert calls[-1] == (
        "apt-get install -y -qq --no-install-recommends postgresql redis-server chromium-driver"
    )


def test_system_packages_as_root_installs_without_sudo(tmp_path):
    calls = _run_system_packages(tmp_path, installed=set(), uid=0)

    assert not any(call.startswith("sudo") for call in calls)
    assert calls[-1] == f"apt-get install -y -qq --no-install-recommends {TEST_PACKAGES}"
