"""A newcomer's first hour: a fresh clone has everything its tests need, `.env.example` copied as
it is sets no optional setting, keys cannot be committed, and the README's commands work as
written from the repository root."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from meetbridge.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE_FOLDER = "../" + "shared"  # spelled apart so this file does not match itself


def active_names(example: str) -> list[str]:
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE)


def test_no_test_reads_anything_from_outside_the_repository():
    """No path literal into the folder beside the clone (a docstring may still cite a note there)."""
    literal = re.compile(r"[\"'][^\"'\n]*" + re.escape(OUTSIDE_FOLDER) + r"[^\"'\n]*[\"']")
    readers = [str(path.relative_to(ROOT)) for path in (ROOT / "tests").rglob("*.py")
               if literal.search(path.read_text(encoding="utf-8"))]
    assert readers == []


def test_dotenv_example_sets_only_required_settings(base_env):
    """Every uncommented line is one start-up refuses to run without (for a public SERVER_URL)."""
    complete = dict(base_env, SERVER_URL="https://meetbridge.example.com", VONAGE_SIGNATURE_SECRET="sig")
    load_settings(complete)
    not_required = []
    for name in active_names((ROOT / ".env.example").read_text(encoding="utf-8")):
        try:
            load_settings({key: value for key, value in complete.items() if key != name})
            not_required.append(name)
        except SettingsError:
            pass
    assert not_required == []


def test_every_setting_in_dotenv_example_is_in_the_readme():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    names = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert sorted(name for name in names if f"`{name}`" not in readme) == []


def test_readme_runs_project_scripts_with_the_venv_python():
    """A bare `python cli.py` runs the system python, which has none of the requirements."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.findall(r"(?<![\w/])python3? (?:cli|app)\.py[^\n`]*", readme) == []


@pytest.mark.skipif(not (ROOT / ".git").exists() or shutil.which("git") is None, reason="not a git checkout")
def test_private_keys_cannot_be_committed():
    paths = ["private.key", "deploy/tls/privkey.pem", "deploy/tls/fullchain.pem", "vonage.pem"]
    ignored = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.split() == paths


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_stays_offline_and_check_online_reaches_out():
    def planned(target: str) -> list[str]:
        dry_run = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=30)
        assert dry_run.returncode == 0, dry_run.stderr
        return [line for line in dry_run.stdout.splitlines() if "cli.py" in line]
    assert planned("check") == [".venv/bin/python cli.py check"]
    assert planned("check-online") == [".venv/bin/python cli.py check --online"]


def test_test_setup_installs_chromium_and_nginx_waiting_for_the_dpkg_lock():
    tools = (ROOT / "scripts" / "ensure-test-tools").read_text(encoding="utf-8")
    apt = (ROOT / "scripts" / "apt-install").read_text(encoding="utf-8")
    assert "for package in chromium nginx;" in tools
    assert "DPkg::Lock::Timeout=" in apt and "/dev/null" not in apt
    assert "bash scripts/ensure-test-tools" in (ROOT / "Makefile").read_text(encoding="utf-8")


GENERATED_PATHS = {"bench/results/"}  # written by `make bench`, git-ignored


def test_every_repository_path_the_readmes_name_exists():
    """A file the README sends a newcomer to (`meetbridge/settings/declared.py`) is still there."""
    top_level = {path.name for path in ROOT.iterdir() if not path.name.startswith(".")}
    missing = []
    for readme in (ROOT / "README.md", ROOT / "bench" / "README.md"):
        for path in re.findall(r"`([\w.-]+(?:/[\w.-]+)+/?)`", readme.read_text(encoding="utf-8")):
            if path.split("/")[0] in top_level and path not in GENERATED_PATHS and not (ROOT / path).exists():
                missing.append(f"{readme.relative_to(ROOT)}: {path}")
    assert missing == []
