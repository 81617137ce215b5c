"""`make run` on a fresh clone: pip only for a changed lock file, one migrate, logins once.

The Makefile runs in a scratch copy whose ``.venv/bin`` programs only write down how they
were called, so the recipes' shell logic is what is tested, without installing or serving.
"""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

FAKE_PROGRAM = '#!/bin/bash\necho "$(basename "$0") $*" >> "$CALLS"\n'


@pytest.fixture
def project(tmp_path):
    shutil.copy(Path(settings.BASE_DIR) / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements").mkdir()
    for name in ("base.txt", "dev.txt"):
        shutil.copy(Path(settings.BASE_DIR) / "requirements" / name, tmp_path / "requirements")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for program in ("python", "celery"):
        (bin_dir / program).write_text(FAKE_PROGRAM)
        (bin_dir / program).chmod(0o755)
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
        timeout=60,
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
