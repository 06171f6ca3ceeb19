"""The production settings load and pass `check --deploy`; the files in deploy/ parse and
only name commands and settings that exist."""

import base64
import importlib.util
import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

BASE = Path(settings.BASE_DIR)
DEPLOY = BASE / "deploy"
MANAGE = str(BASE / "manage.py")
SETTINGS_TEXT = (BASE / "tingsu" / "settings.py").read_text() + (
    BASE / "tingsu" / "settings_production.py"
).read_text()


def production_env(**overrides: str) -> dict[str, str]:
    # Nothing from this process: e.g. the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TINGSU_", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tingsu.settings_production",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/h6",
        TINGSU_REDIS_URL="redis://127.0.0.1:6379/0",
        TINGSU_SECRET_KEY=secrets.token_urlsafe(64),
        TINGSU_ALLOWED_HOSTS="tingsu.example.com",
        TINGSU_DB_POOL="1" if importlib.util.find_spec("psycopg_pool") else "0",
        # Personal data keys (README "Personal data"); without them check --deploy warns.
        TINGSU_PII_KEYS="k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        TINGSU_PII_INDEX_KEYS="i1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own manage.py with fixed arguments
        [sys.executable, MANAGE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE,
    )


def show(env: dict[str, str], *expressions: str) -> list[str]:
    """The repr of each expression, evaluated with `settings` under these environment values."""
    code = "from django.conf import settings\n" + "".join(
        f"print(repr({e}))\n" for e in expressions
    )
    result = manage(env, "shell", "--no-imports", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


# The production settings.


def test_check_deploy_is_clean_under_the_production_settings():
    result = manage(production_env(), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_it_refuses_sqlite_with_a_clear_message():
    result = manage(production_env(DATABASE_URL="sqlite:////tmp/tingsu.sqlite3"), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "The production settings need PostgreSQL" in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    ["", "short", "tingsu-insecure-local-key-set-TINGSU_SECRET_KEY-in-production"],
)
def test_it_refuses_a_missing_short_or_development_secret_key(secret_key):
    result = manage(production_env(TINGSU_SECRET_KEY=secret_key), "check")
    assert result.returncode != 0
    assert "need TINGSU_SECRET_KEY" in result.stderr


def test_it_refuses_to_start_without_allowed_hosts_or_redis():
    env = production_env()
    del env["TINGSU_ALLOWED_HOSTS"]
    assert "need TINGSU_ALLOWED_HOSTS" in manage(env, "check").stderr
    env = production_env()
    del env["TINGSU_REDIS_URL"]
    assert "need TINGSU_REDIS_URL" in manage(env, "check").stderr


def test_the_production_profile_pools_caches_in_redis_and_hardens_cookies():
    env = production_env(TINGSU_DB_POOL="0", TINGSU_HSTS_SECONDS="600", TINGSU_BEHIND_PROXY="1")
    assert show(
        env,
        "settings.DATABASES['default']['ENGINE']",
        "settings.DEBUG",
        "settings.CACHES['default']['BACKEND']",
        "settings.SECURE_HSTS_SECONDS",
        "settings.SECURE_PROXY_SSL_HEADER",
        "(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)",
        "'replica' in settings.DATABASES",
        "settings.LOGGING['handlers']['console']['formatter']",
    ) == [
        "'django.db.backends.postgresql'",
        "False",
        "'django.core.cache.backends.redis.RedisCache'",
        "600",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
        "(True, True)",
        "False",
        "'json'",
    ]
    if importlib.util.find_spec("psycopg_pool"):
        pooled = production_env(TINGSU_DB_POOL="1", TINGSU_DB_POOL_MAX="7")
        assert show(
            pooled,
            "settings.DATABASES['default']['OPTIONS']['pool']['max_size']",
            "settings.DATABASES['default']['CONN_MAX_AGE']",
        ) == ["7", "0"]
    else:
        result = manage(production_env(TINGSU_DB_POOL="1"), "check")
        assert 'pip install "psycopg[pool]"' in result.stderr


def test_the_production_profile_stores_media_on_s3_when_a_bucket_is_set():
    env = production_env(
        TINGSU_S3_BUCKET="tingsu-media",
        TINGSU_S3_ENDPOINT_URL="http://127.0.0.1:9000",
        TINGSU_S3_ACCESS_KEY_ID="minio",
        TINGSU_S3_SECRET_ACCESS_KEY="minio-secret",
        TINGSU_REPLICA_DATABASE_URL="postgres://postgres@127.0.0.1:5432/h6",
    )
    options = "settings.STORAGES['default']['OPTIONS']"
    backend, bucket, acl, signed, mirror, url = show(
        env,
        "settings.STORAGES['default']['BACKEND']",
        f"({options}['bucket_name'], {options}['endpoint_url'])",
        f"{options}['default_acl']",
        f"{options}['querystring_auth']",
        "settings.DATABASES['replica']['TEST']['MIRROR']",
        "__import__('django.core.files.storage').core.files.storage.default_storage.url('a/b.pdf')",
    )
    # django-storages' S3Storage, files sealed before they leave (privacy.storage).
    assert backend == "'tingsu.privacy.storage_s3.EncryptedS3Storage'"
    assert bucket == "('tingsu-media', 'http://127.0.0.1:9000')"
    assert (acl, signed, mirror) == ("'private'", "True", "'default'")
    # Were a URL ever handed out, it would be signed and expiring, never a public one.
    assert url.startswith("'http://127.0.0.1:9000/tingsu-media/media/a/b.pdf?")
    assert "Signature=" in url


# deploy/


def yaml_files() -> list[Path]:
    return sorted([*DEPLOY.glob("*.yml"), *DEPLOY.glob("*.yaml"), *DEPLOY.glob("k8s/*.yaml")])


def documents(path: Path) -> list[dict]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def k8s_objects() -> list[dict]:
    return [d for path in sorted(DEPLOY.glob("k8s/*.yaml")) for d in documents(path)]


def compose() -> dict:
    return documents(DEPLOY / "docker-compose.yml")[0]


def containers() -> list[tuple[str, list[str]]]:
    """(where, command) for every Tingsu container in compose and Kubernetes."""
    found = []
    for name, service in compose()["services"].items():
        if "command" in service and service.get("image", "").startswith("tingsu"):
            found.append((f"compose {name}", service["command"]))
    for obj in k8s_objects():
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            found.append((f"{obj['kind']} {obj['metadata']['name']}", container["command"]))
    return found


def test_every_deploy_yaml_file_parses():
    assert len(yaml_files()) >= 8
    for path in yaml_files():
        assert documents(path), path


def test_compose_runs_web_worker_scheduler_postgres_and_redis_with_healthchecks():
    services = compose()["services"]
    assert {"web", "worker", "scheduler", "postgres", "redis"} <= set(services)
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    for name in ("web", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "scheduler"):
        assert services[name]["environment"]["DJANGO_SETTINGS_MODULE"] == (
            "tingsu.settings_production"
        )
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_kubernetes_has_web_worker_scheduler_migrate_and_an_hpa_on_the_web():
    objects = {(o["kind"], o["metadata"]["name"]): o for o in k8s_objects()}
    for key in [
        ("Deployment", "tingsu-web"),
        ("Service", "tingsu-web"),
        ("HorizontalPodAutoscaler", "tingsu-web"),
        ("Deployment", "tingsu-worker"),
        ("Deployment", "tingsu-scheduler"),
        ("Job", "tingsu-migrate"),
        ("ConfigMap", "tingsu-config"),
        ("Secret", "tingsu-secrets"),
        ("Ingress", "tingsu"),
    ]:
        assert key in objects, key
    hpa = objects[("HorizontalPodAutoscaler", "tingsu-web")]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "tingsu-web",
    }
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert objects[("Deployment", "tingsu-scheduler")]["spec"]["replicas"] == 2
    web = objects[("Deployment", "tingsu-web")]
    assert web["spec"]["selector"]["matchLabels"] == web["spec"]["template"]["metadata"]["labels"]
    service = objects[("Service", "tingsu-web")]
    assert service["spec"]["selector"] == web["spec"]["template"]["metadata"]["labels"]
    backend = objects[("Ingress", "tingsu")]["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert backend["service"]["name"] == "tingsu-web"


def test_every_container_command_is_a_real_tingsu_command_or_the_wsgi_app():
    commands = get_commands()
    seen = containers()
    assert len(seen) >= 8
    for where, argv in seen:
        if argv[0] == "gunicorn":
            module, _, attr = argv[1].partition(":")
            assert importlib.util.find_spec(module), where
            assert attr == "application", where
        else:
            assert argv[0] == "tingsu", where
            assert argv[1] in commands, f"{where}: no management command {argv[1]!r}"
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert '"tingsu.wsgi:application"' in dockerfile
    assert "USER tingsu" in dockerfile
    assert "FROM python:3.11-slim" in dockerfile


def env_names_in_deploy_files() -> set[str]:
    names: set[str] = set()
    for line in (DEPLOY / "tingsu.env.example").read_text().splitlines():
        if re.match(r"^[A-Z_]+=", line):
            names.add(line.split("=", 1)[0])
    for name, service in compose()["services"].items():
        if name not in ("postgres", "redis"):
            names |= set(service.get("environment", {}))
    for obj in k8s_objects():
        if obj["kind"] == "ConfigMap":
            names |= set(obj["data"])
        if obj["kind"] == "Secret":
            names |= set(obj["stringData"])
    names |= set(re.findall(r"\b(TINGSU_[A-Z0-9_]+)=", (DEPLOY / "Dockerfile").read_text()))
    return names


def test_every_env_var_in_the_deploy_files_is_one_the_settings_read():
    names = env_names_in_deploy_files()
    assert {"TINGSU_SECRET_KEY", "DATABASE_URL", "TINGSU_REDIS_URL"} <= names
    unknown = [
        n for n in sorted(names) if n != "DJANGO_SETTINGS_MODULE" and f'"{n}"' not in SETTINGS_TEXT
    ]
    assert unknown == []


def test_production_logs_are_one_json_object_per_line_on_stdout():
    code = "import logging; logging.getLogger('tingsu.test').warning('forged\\nINFO login ok')"
    result = manage(production_env(), "shell", "--no-imports", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert (entry["level"], entry["logger"]) == ("WARNING", "tingsu.test")
    assert entry["message"].startswith("forged")
