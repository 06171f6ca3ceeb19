"""A web process loads scikit-learn (about 100 MB) only when it classifies: starting
Django and its URLs must not import it."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[4]
PROBE = (
    "import sys, django; django.setup(); import tingsu.urls, tingsu.wsgi; "
    "from django.urls import get_resolver; get_resolver().url_patterns; "
    "print(sorted(m for m in ('sklearn', 'numpy', 'scipy') if m in sys.modules))"
)


def test_starting_the_web_app_does_not_import_scikit_learn():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tingsu.settings", "PYTHONPATH": str(REPO)}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PROBE], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
