"""Production settings: with DEBUG off and a virus scanner, `manage.py check
--deploy` is clean, it warns when the staff second factor is off, the
timeline's anchor key is missing or uploads go unscanned, and the HTTPS
redirect spares the health check (a load balancer
probes it over plain HTTP)."""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

BASE_DIR = Path(__file__).resolve().parent.parent


def check_deploy(tmp_path, **overrides):
    """Run `manage.py check --deploy` with the real settings module and only
    the environment a production deployment sets (SQLite file so no server is
    needed: the check does not connect to the database or the broker)."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "accreditation.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TIMELINE_ANCHOR_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "accreditation.example.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "VAR_DIR": str(tmp_path / "var"),
        "EVIDENCE_SCANNER": "proposals.clamav.scan",
        "CLAMAV_ADDRESS": "tcp://clamav-daemon:3310",
        **overrides,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    code, output = check_deploy(tmp_path)
    assert code == 0, output
    assert "WARNINGS" not in output, output
    assert "ERRORS" not in output, output
    assert "System check identified no issues" in output, output


def test_check_deploy_warns_when_the_staff_second_factor_is_off(tmp_path):
    code, output = check_deploy(tmp_path, STAFF_OTP_REQUIRED="false")
    assert code == 0, output
    assert "accreditation.W001" in output, output


@pytest.mark.parametrize("key", ["", "too-short-to-be-a-key"])
def test_check_deploy_warns_without_a_timeline_anchor_key(tmp_path, key):
    code, output = check_deploy(tmp_path, TIMELINE_ANCHOR_KEY=key)
    assert code == 0, output
    assert "accreditation.W002" in output, output


def test_check_deploy_warns_when_uploads_are_not_scanned(tmp_path):
    code, output = check_deploy(tmp_path, EVIDENCE_SCANNER="proposals.services.evidence.no_scan")
    assert code == 0, output
    assert "accreditation.W003" in output, output


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_https_redirect_spares_only_the_health_check(client):
    health = client.get("/healthz")
    assert health.status_code in (200, 503)

    start = client.get("/")
    assert start.status_code == 301
    assert start["Location"] == "https://testserver/"

    # Behind the TLS-terminating proxy, which says so in X-Forwarded-Proto.
    proxied = client.get("/", headers={"x-forwarded-proto": "https"})
    assert proxied.status_code == 200


def test_check_deploy_warns_when_the_demo_is_on(tmp_path):
    code, output = check_deploy(tmp_path, DEMO="true")
    assert code == 0, output
    assert "accreditation.W004" in output, output
