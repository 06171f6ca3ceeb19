"""Run inside the peer's virtualenv (cwd bench/peer, DATABASE_URL set): migrate, create a
queue and a staff user, seed up to N tickets with the same kind of Chinese text as
`tingsu seed` (the same templates and the same planted search marker, about 1%), each with
3 to 8 follow-ups (its timeline), then print JSON for the load run.

Rows go in with bulk_create, a batch per transaction, like Tingsu's seeding.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Only the pure text modules of Tingsu's demo are imported here, never its Django apps.
sys.path.insert(0, str(REPO / "tingsu" / "demo"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

import django  # noqa: E402

django.setup()

import seeding_texts  # noqa: E402
import texts  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

BENCH_USER = "bench"
# Open, reopened, resolved, closed, duplicate: weights like Tingsu's open/closed mix.
STATUSES = {1: 34, 2: 4, 3: 8, 4: 50, 5: 4}


def _texts(rng: random.Random, n: int) -> list[tuple[str, str]]:
    pool = []
    topics = list(texts.TOPICS.values())
    for _ in range(n):
        topic = rng.choice(topics)
        courier, prefix = rng.choice(texts.COURIERS)
        ctx = {
            "product": rng.choice(topic.products),
            "order": f"YJ{rng.randint(0, 10**14):014d}",
            "courier": courier,
            "tracking": f"{prefix}{rng.randint(10**11, 10**12 - 1)}",
            "store": rng.choice(texts.STORES),
            "city": rng.choice(texts.CITIES),
            "amount": str(rng.choice((59, 129, 259, 599, 1299))),
            "days": str(rng.randint(3, 9)),
        }
        extra = "".join(rng.sample(seeding_texts.CONTEXT, rng.randint(1, 3)))
        description = rng.choice(topic.descriptions).format(**ctx) + extra
        pool.append((rng.choice(topic.subjects).format(**ctx), description))
    return pool


def seed(count: int, *, queue: Queue, staff: list[User], batch: int = 5000) -> dict:
    started = time.perf_counter()
    rng = random.Random(1)
    pool = _texts(rng, 2000)
    now = timezone.now()
    statuses, weights = list(STATUSES), list(STATUSES.values())
    followups = 0
    done = 0
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic():
            tickets = []
            for _ in range(size):
                title, description = rng.choice(pool)
                if rng.random() < 0.01:
                    description += rng.choice(seeding_texts.MARKER_SENTENCES).format(
                        marker=seeding_texts.SEARCH_MARKER
                    )
                at = now - timedelta(seconds=rng.uniform(60, 365 * 86400))
                status = rng.choices(statuses, weights=weights)[0]
                tickets.append(
                    Ticket(
                        queue=queue,
                        title=title[:200],
                        description=description,
                        submitter_email=f"c{rng.randint(0, count // 3)}@example.com",
                        status=status,
                        priority=rng.choice((1, 2, 3, 3, 3, 4)),
                        assigned_to=rng.choice(staff) if rng.random() < 0.85 else None,
                        created=at,
                        modified=at + timedelta(hours=rng.uniform(1, 200)),
                    )
                )
            Ticket.objects.bulk_create(tickets)
            if tickets[0].pk is None:  # backends without RETURNING
                tickets = list(Ticket.objects.order_by("-id")[:size])[::-1]
            rows = []
            for ticket in tickets:
                n = rng.randint(3, 8)
                rows.append(
                    FollowUp(
                        ticket=ticket,
                        date=ticket.created,
                        title="Ticket Opened",
                        comment=ticket.description,
                        public=True,
                    )
                )
                for i in range(1, n):
                    public = rng.random() < 0.7
                    comment = rng.choice(
                        seeding_texts.STAFF_REPLIES + seeding_texts.NOTES + texts.CUSTOMER_NUDGES
                    )
                    rows.append(
                        FollowUp(
                            ticket=ticket,
                            date=ticket.created + timedelta(hours=i * rng.uniform(1, 24)),
                            title="Comment",
                            comment=comment,
                            public=public,
                            user=ticket.assigned_to if rng.random() < 0.6 else None,
                        )
                    )
            FollowUp.objects.bulk_create(rows, batch_size=2000)
            followups += len(rows)
        done += size
    seconds = time.perf_counter() - started
    return {
        "cases": count,
        "seconds": round(seconds, 1),
        "cases_per_s": round(count / seconds) if seconds else 0,
        "events": followups,
    }


def database_size() -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    name = Path(str(connection.settings_dict["NAME"]))
    files = [name, *(name.with_name(name.name + s) for s in ("-wal", "-shm"))]
    return sum(f.stat().st_size for f in files if f.exists())


def _server_version() -> str | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def prepare(cases: int) -> dict:
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    queue, _ = Queue.objects.get_or_create(
        slug="complaints", defaults={"title": "投诉", "allow_public_submission": True}
    )
    user, created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    staff = [user]
    for i in range(1, 11):
        agent, _ = User.objects.get_or_create(username=f"agent{i}", defaults={"is_staff": True})
        staff.append(agent)
    have = Ticket.objects.count()
    seeding = seed(cases - have, queue=queue, staff=staff) if have < cases else None
    client = Client()
    client.force_login(user)
    # A CSRF secret of our own: Django accepts the same unmasked 32 characters in the cookie
    # and the X-CSRFToken header, which the API needs with session authentication.
    cookies = {k: v.value for k, v in client.cookies.items()}
    cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    eight = list(
        FollowUp.objects.values("ticket")
        .annotate(n=Count("id"))
        .filter(n=8)
        .values_list("ticket", flat=True)[:50]
    )
    return {
        "engine": connection.vendor,
        "cases": Ticket.objects.count(),
        "seeding": seeding,
        "db_bytes": database_size(),
        "cookies": cookies,
        "csrf": cookies.get(settings.CSRF_COOKIE_NAME, ""),
        "queue": queue.pk,
        "ticket_ids": eight,
        "search": seeding_texts.SEARCH_MARKER,
        "search_hits": Ticket.objects.filter(
            description__contains=seeding_texts.SEARCH_MARKER
        ).count(),
        "server_version": _server_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--count-only", action="store_true")
    args = parser.parse_args()
    if args.count_only:
        print(json.dumps({"cases": Ticket.objects.count()}))
        return
    print(json.dumps(prepare(args.cases), ensure_ascii=False))


if __name__ == "__main__":
    main()
