"""`make test` lints before it tests: ruff and mypy, pinned in requirements-dev.txt, run with the
project's own pyproject.toml (so a user's or a parent folder's config cannot stand in)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_test_runs_ruff_and_mypy_with_the_project_config_before_pytest():
    dry_run = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert dry_run.returncode == 0, dry_run.stderr
    steps = dry_run.stdout.splitlines()
    lint = [steps.index(".venv/bin/ruff check --config pyproject.toml ."),
            steps.index(".venv/bin/mypy --config-file pyproject.toml")]
    first_pytest = next(number for number, step in enumerate(steps) if "pytest" in step)
    assert max(lint) < first_pytest


def test_linters_are_pinned_in_the_dev_requirements():
    pinned = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.M))
    assert {"ruff", "mypy"} <= pinned.keys()


def test_pyproject_checks_the_rules_and_code_the_project_agreed_on():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ruff, mypy = config["tool"]["ruff"], config["tool"]["mypy"]
    assert {"E", "F", "W", "I", "B", "UP"} <= set(ruff["lint"]["select"]) and ruff["line-length"] == 120
    assert "tests" not in ruff.get("exclude", []) + ruff.get("extend-exclude", [])
    assert (mypy["python_version"], mypy["check_untyped_defs"]) == ("3.11", True)
    assert set(mypy["files"]) == {"meetbridge", "bot", "web", "webhooks", "app.py", "cli.py"}
