"""Configuration cached per process is reloaded as soon as any process changes it."""

import pytest

from tingsu.core import config
from tingsu.core.models import ConfigVersion

pytestmark = pytest.mark.django_db


def test_a_cached_value_is_loaded_once_until_the_version_changes(django_assert_num_queries):
    loads = []

    def load():
        loads.append(1)
        return len(loads)

    config.config_changed()
    assert config.cached("test.value", load) == 1
    with django_assert_num_queries(1):  # the version only
        assert config.cached("test.value", load) == 1
    # Another worker's change: only the row changes, this process's cache is untouched.
    ConfigVersion.objects.filter(pk=config.ROW).update(version=12345)
    assert config.cached("test.value", load) == 2


def test_inside_a_scope_the_version_is_read_once(django_assert_num_queries):
    config.config_changed()
    config.cached("test.a", lambda: "a")
    with config.config_scope(), django_assert_num_queries(1):
        for _ in range(3):
            assert config.cached("test.a", lambda: "b") == "a"


def test_a_change_inside_a_scope_is_seen_by_the_rest_of_it():
    with config.config_scope():
        assert config.cached("test.b", lambda: "old") == "old"
        config.config_changed()
        assert config.cached("test.b", lambda: "new") == "new"


def test_a_missing_version_row_is_created_by_a_change():
    ConfigVersion.objects.all().delete()
    assert config.config_version() == 0
    config.config_changed()
    assert config.config_version() != 0
