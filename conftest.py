import os

import pytest

from tingsu.core.testing import make_world


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language(settings):
    # Tests read the default language (zh-hans) unless they switch.
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture(autouse=True)
def _two_factor_not_enforced(settings):
    # Admin and compliance logins need TOTP in production; tests that are about it
    # (tingsu/accounts/tests/test_two_factor.py) switch it back on.
    settings.TINGSU_TWO_FACTOR_REQUIRED = False


@pytest.fixture(autouse=True)
def _intake_inline(settings):
    # The API defers intake processing to the task worker in production; tests see the
    # whole intake done in the request unless they are about the deferred mode
    # (the `deferred` fixture switches it on).
    settings.TINGSU = {**settings.TINGSU, "INTAKE_DEFERRED": False}


@pytest.fixture
def deferred(settings):
    """Intake accepted first and processed by the task worker, as in production."""
    settings.TINGSU = {**settings.TINGSU, "INTAKE_DEFERRED": True}


@pytest.fixture
def reseeded(db):
    """A transactional test starts from an emptied database: put back what the data
    migrations wrote (SLA policies, word lists, notification templates)."""
    from tingsu.core.testing import reseed_data_migrations

    reseed_data_migrations()


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttles (portal look-ups) count in the cache: each test starts with none.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def world(db):
    return make_world()


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"tingsu database: {engine}; CI={os.environ.get('CI', '')}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Under CI=true nothing may skip: a skipped test there is a missing dependency, not a pass.
    # `make test` deselects (-m) what a pass cannot run instead of skipping it.
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI=true, where nothing may skip: {report.longrepr}"
