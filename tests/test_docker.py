"""The production image builds from the repository and runs as a non-root user.

Needs a Docker engine; where there is none (CI containers, this sandbox) the test is skipped
with that reason rather than passing without checking anything."""

from __future__ import annotations

import ast
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BUILD_TIMEOUT_SECONDS = 900


def docker_engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def docker(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    if not docker_engine_available():
        pytest.skip("no Docker engine on this machine (`docker info` fails)")
    tag = f"meetbridge-test:{uuid.uuid4().hex[:12]}"
    built = docker("build", "--tag", tag, str(PROJECT_ROOT), timeout=BUILD_TIMEOUT_SECONDS)
    assert built.returncode == 0, built.stderr[-4000:]
    yield tag
    docker("image", "rm", "--force", tag)


def test_image_runs_as_a_non_root_user(image):
    user = docker("run", "--rm", "--entrypoint", "id", image, "-u")
    assert user.returncode == 0, user.stderr
    assert user.stdout.strip() not in ("", "0")
    configured = docker("image", "inspect", "--format", "{{.Config.User}}", image)
    assert configured.stdout.strip() not in ("", "root", "0")


def test_image_can_write_its_database_volume_and_has_a_healthcheck(image):
    writes = docker("run", "--rm", "--entrypoint", "sh", image, "-c", 'touch "$DATABASE_PATH" && echo ok')
    assert (writes.returncode, writes.stdout.strip()) == (0, "ok"), writes.stderr
    health = docker("image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", image)
    assert "/healthz" in health.stdout


def test_image_ships_no_tests_or_local_secrets(image):
    listing = docker("run", "--rm", "--entrypoint", "ls", image, "-A", "/app")
    assert listing.returncode == 0, listing.stderr
    assert {"tests", ".env", ".git"}.isdisjoint(listing.stdout.split())


def local_modules_imported_by_the_server() -> set[str]:
    """Top-level project modules and packages that app.py, cli.py and the gunicorn config import."""
    sources = [PROJECT_ROOT / name for name in ("app.py", "cli.py", "gunicorn.conf.py")]
    for package in ("meetbridge", "bot", "web", "webhooks"):
        sources += (PROJECT_ROOT / package).rglob("*.py")
    names = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {name for name in names
            if (PROJECT_ROOT / name).is_dir() or (PROJECT_ROOT / f"{name}.py").is_file()}


def test_dockerfile_copies_every_project_module_the_server_imports():
    """Runs without Docker: a new package that the Dockerfile forgets would only fail at `docker run`."""
    copied = set()
    for line in (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            copied |= {Path(part).stem if part.endswith(".py") else part.rstrip("/")
                       for part in line.split()[1:-1]}
    assert local_modules_imported_by_the_server() - copied == set()
    assert {"gunicorn.conf", "app"} <= copied


# -- deploy/compose.yml: nginx in front, gunicorn never published (README › Production behind nginx)

@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "deploy" / "compose.yml").read_text(encoding="utf-8"))


def test_compose_publishes_only_nginx_and_keeps_gunicorn_on_the_internal_network(compose):
    services = compose["services"]
    assert ("ports" in services["nginx"], "ports" in services["app"]) == (True, False)
    assert services["app"]["expose"] == [services["app"]["environment"]["PORT"]]
    upstream = f"server app:{services['app']['environment']['PORT']};"
    assert upstream in (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_compose_trusts_one_proxy_hop_and_keeps_the_database_on_a_volume(compose):
    app = compose["services"]["app"]
    assert app["environment"]["PROXY_HOPS"] == "1"
    database_dir = str(Path(app["environment"]["DATABASE_PATH"]).parent)
    assert f"meetbridge-data:{database_dir}" in app["volumes"] and "meetbridge-data" in compose["volumes"]


def test_compose_mounts_the_vonage_key_as_a_secret_file(compose):
    app = compose["services"]["app"]
    secret = app["environment"]["VONAGE_PRIVATE_KEY"].removeprefix("/run/secrets/")
    assert secret in app["secrets"]
    assert compose["secrets"][secret]["file"] == "../private.key"

