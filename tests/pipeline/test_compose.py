"""docker-compose.yml: valid against the compose spec, and consistent with the code."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from shared import settings as s
from tests.infra import ROOT

COMPOSE = ROOT / "docker-compose.yml"
SERVICE_SETTINGS = {
    "capture": s.CaptureSettings,
    "detector": s.DetectorSettings,
    "recognizer": s.RecognizerSettings,
    "recorder": s.RecorderSettings,
    "passages": s.PassagesSettings,
    "api": s.ApiSettings,
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_file_is_valid_against_the_spec() -> None:
    exe = shutil.which("check-jsonschema") or str(
        Path(sys.executable).with_name("check-jsonschema")
    )
    if not Path(exe).exists():
        pytest.skip("check-jsonschema not installed (pip install -e '.[dev]')")
    proc = subprocess.run(
        [exe, "--builtin-schema", "vendor.compose-spec", str(COMPOSE)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_service_runs_an_existing_module(compose: dict) -> None:
    for name in SERVICE_SETTINGS:
        command = compose["services"][name]["command"]
        assert command[:2] == ["python", "-m"] and command[2] == f"services.{name}"
        assert importlib.util.find_spec(f"services.{name}.__main__") is not None


def test_every_lpr_variable_is_a_setting_of_that_service(compose: dict) -> None:
    for name, cls in SERVICE_SETTINGS.items():
        env = compose["services"][name]["environment"]
        used = {k for k in env if k.startswith("LPR_")}
        unknown = used - s.env_names(cls)
        assert not unknown, f"{name} sets {sorted(unknown)}, which {cls.__name__} does not read"
        required = {f"LPR_{n.upper()}" for n, f in cls.model_fields.items() if f.is_required()}
        assert required <= used, f"{name} misses {sorted(required - used)}"


def test_scalable_services_have_no_fixed_names_or_host_ports(compose: dict) -> None:
    for name in ("detector", "recognizer"):
        svc = compose["services"][name]
        assert "container_name" not in svc and "ports" not in svc


def test_dependencies_wait_for_health(compose: dict) -> None:
    services = compose["services"]
    for infra in ("rabbitmq", "postgres"):
        assert "healthcheck" in services[infra] and services[infra]["volumes"]
    for name in SERVICE_SETTINGS:
        for dep, cond in services[name]["depends_on"].items():
            assert cond == {"condition": "service_healthy"}, (name, dep)
            assert "healthcheck" in services[dep]


def test_secrets_come_from_env_and_the_example_lists_them(compose: dict) -> None:
    text = COMPOSE.read_text()
    used = set(re.findall(r"\$\{([A-Z_]+)", text))
    example = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert used <= example, f".env.example lacks {sorted(used - example)}"
    for secret in ("POSTGRES_PASSWORD", "RABBITMQ_DEFAULT_PASS"):
        assert re.search(r"\$\{" + secret + r":\?", text), (
            f"{secret} must be required, not defaulted"
        )


def test_procfile_runs_every_service() -> None:
    lines = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert {k: v.strip() for k, v in lines.items()} == {
        n: f"python -m services.{n}" for n in SERVICE_SETTINGS
    }
