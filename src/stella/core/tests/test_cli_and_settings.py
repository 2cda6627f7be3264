"""The `stella` command, the deployment check and environment-driven settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "stella.cli", *args], env=full_env, cwd=cwd or ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_help_lists_the_project_commands():
    out = run("help").stdout
    for command in ("audit", "check_deploy", "createuser", "demo", "serve", "access_matrix"):
        assert command in out


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = run("check-deploy", env={"STELLA_VAR_DIR": str(tmp_path), "STELLA_ALLOWED_HOSTS": "stella.example.org"})
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_on_a_weak_secret(tmp_path):
    result = run("check-deploy", env={"STELLA_VAR_DIR": str(tmp_path), "STELLA_SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_secret_key_is_generated_once_with_owner_only_permissions(tmp_path):
    env = {"STELLA_VAR_DIR": str(tmp_path), "STELLA_SECRET_KEY": ""}
    code = "import os; os.environ.pop('STELLA_SECRET_KEY'); import stella.settings as s; print(s.SECRET_KEY)"
    first = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,  # noqa: S603
                           check=True).stdout
    second = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True,  # noqa: S603
                            check=True).stdout
    key_file = tmp_path / "secret_key"
    assert first == second and len(first.strip()) > 50
    assert key_file.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("0", False), ("", False)])
def test_debug_flag(tmp_path, value, expected):
    code = "import stella.settings as s; print(s.DEBUG)"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "STELLA_DEBUG": value,  # noqa: S603
                                                           "STELLA_VAR_DIR": str(tmp_path)},
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == str(expected)
