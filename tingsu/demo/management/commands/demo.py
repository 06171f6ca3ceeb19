from django.core.management.base import BaseCommand, CommandParser

from tingsu.cases.models import Case
from tingsu.demo.accounts import demo_logins_text
from tingsu.demo.loader import demo_is_loaded, demo_load
from tingsu.demo.stories import DEFAULT_CASES, DEFAULT_SEED


class Command(BaseCommand):
    help = "Load the demo company 悦家优选: departments, staff, categories and ~300 cases."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only if the database has no cases at all (used by `make run`).",
        )
        parser.add_argument(
            "--cases", type=int, default=DEFAULT_CASES, help="How many cases to create."
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same data)."
        )

    def handle(self, *args, **options) -> None:
        if options["if_empty"] and Case.objects.exists():
            self.stdout.write("The database already has cases; demo data not loaded.")
            return
        if demo_is_loaded():
            self.stdout.write("Demo data is already loaded; nothing to do.")
            self.stdout.write(demo_logins_text())
            return
        if options["cases"] < 0:
            self.stderr.write("--cases must be zero or more.")
            return
        result = demo_load(cases=options["cases"], seed=options["seed"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the demo company: {result.cases} cases from {result.customers} "
                f"customers in {result.seconds:.1f} s."
            )
        )
        self.stdout.write(demo_logins_text())
