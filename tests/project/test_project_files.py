"""The promises the repository makes to a newcomer: the README's two commands, CI calling the
same test command, and a production compose file with every service and its health check.

`docker compose config` needs the compose plugin, which CI machines do not have; this checks
what the file must hold."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.S)]


def test_readme_quick_start_has_exactly_two_commands():
    run, test = _quick_start_commands()
    assert "manage.py quickstart" in run and run.startswith("bash .ci/setup")
    assert test == "bash .ci/test"


def test_ci_runs_the_readme_test_command_on_postgresql_and_redis():
    ci = (ROOT / ".ci" / "run").read_text()
    assert _quick_start_commands()[1] in ci
    assert 'DATABASE_URL="postgres://' in ci and 'REDIS_URL="redis://' in ci
    assert "CI_REQUIRE_BROWSER=1" in ci and "CI_REQUIRE_WORKER=1" in ci
    assert "makemigrations --check" in ci and "check --deploy --fail-level WARNING" in ci


def test_compose_file_has_every_service_with_health_checks_and_volumes():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "db", "redis"):
        assert "healthcheck" in services[name], name
    assert "gunicorn" in " ".join(services["web"]["command"])
    assert "worker" in services["worker"]["command"] and "beat" in services["beat"]["command"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert {"postgres", "redis", "media"} <= set(compose["volumes"])
    dockerfile = services["web"]["build"]["dockerfile"]
    assert (ROOT / dockerfile).exists()


def test_env_example_names_every_production_variable():
    names = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    settings_text = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    used = set(re.findall(r"env(?:_bool|_list)?\(\s*\"([A-Z_]+)\"", settings_text))
    optional = {
        "DJANGO_DEBUG",
        "DJANGO_LOG_LEVEL",
        "DATABASE_CONN_MAX_AGE",
        "DJANGO_EMAIL_BACKEND",
        "EMAIL_FILE_PATH",
        "DJANGO_STATIC_ROOT",
        "DJANGO_MEDIA_ROOT",
        "DJANGO_SECURE_HSTS_SECONDS",
        # Production keeps no task results; only the worker tests and benchmarks set one.
        "CELERY_RESULT_BACKEND",
    }
    assert used - optional <= names, sorted(used - optional - names)
