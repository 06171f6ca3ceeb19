import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tingsu.demo.seeding import database_size, seed_cases


class Command(BaseCommand):
    help = (
        "Insert N synthetic cases for benchmarks with bulk inserts (not through the case "
        "services): customers with repeat complaints, every status, 3 to 8 timeline events "
        "and SLA timers per case, over the last year."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, required=True, help="How many cases.")
        parser.add_argument("--batch", type=int, default=5000, help="Cases per transaction.")
        parser.add_argument(
            "--days", type=int, default=365, help="Spread creation over this many past days."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed.")

    def handle(self, *args, **options) -> None:
        count, batch, days = options["cases"], options["batch"], options["days"]
        if count <= 0 or batch <= 0 or days <= 0:
            raise CommandError("--cases, --batch and --days must be positive.")
        verbose = options["verbosity"] > 1
        cpu = time.process_time()
        result = seed_cases(
            count=count,
            batch=batch,
            days=days,
            seed=options["seed"],
            progress=(lambda n: self.stdout.write(f"  {n} cases")) if verbose else None,
        )
        self.stdout.write(
            f"seeded {result.cases} cases in {result.seconds:.1f} s ({result.rate:.0f} cases/s): "
            f"{result.customers} customers, {result.events} events, {result.timers} SLA timers"
        )
        if result.index_seconds:
            self.stdout.write(
                f"indexes dropped for the load and rebuilt in {result.index_seconds:.1f} s"
            )
        # CPU time of this process: on a busy machine, cases per CPU second is the steadier
        # estimate of what a quiet one would do (the database server's own CPU not included).
        self.stdout.write(f"process CPU time: {time.process_time() - cpu:.1f} s")
        self.stdout.write(f"database size on disk: {database_size() / 2**20:.1f} MiB")
