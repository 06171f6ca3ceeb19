"""The `tingsu` console script: Django's manage.py with Tingsu's settings.

`tingsu run`, `tingsu demo` and `tingsu seed` are management commands in tingsu.core.
"""

import os
import sys


def manage(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tingsu.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(argv)


def main() -> None:
    manage(["tingsu", *sys.argv[1:]])
