import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    # Assertions read English source strings, so they hold once Chinese translations exist.
    settings.LANGUAGE_CODE = "en"
