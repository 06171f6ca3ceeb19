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


@pytest.fixture
def world(db):
    return make_world()


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"tingsu database: {engine}; CI={os.environ.get('CI', '')}"
