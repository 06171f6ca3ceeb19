"""Queue search: the indexed search finds exactly what the plain substring scan finds.

The reference is the scan the queue used before the index (icontains over number,
subject, description, order number and customer name, plus exact phone/email through
the blind index). Every test compares with it on the engine it runs on, so the same
tests check the FTS5 trigram path on SQLite and the pg_trgm path on PostgreSQL.
"""

import pytest
from django.db import connection
from django.db.models import Q

from tingsu.cases.models import Case
from tingsu.cases.search import ensure_search_index
from tingsu.cases.selectors import SORTS, CaseFilters, case_list
from tingsu.core.testing import make_case, make_customer
from tingsu.customers.models import Customer
from tingsu.customers.phones import looks_like_phone
from tingsu.customers.selectors import customer_email_q, customer_phone_q

pytestmark = pytest.mark.django_db


def scan(text: str) -> set[int]:
    """The cases a plain, unindexed scan matches (the behaviour before the index)."""
    text = text.strip()
    q = (
        Q(number__icontains=text)
        | Q(subject__icontains=text)
        | Q(description__icontains=text)
        | Q(order_number__icontains=text)
        | Q(customer__name__icontains=text)
        | (customer_phone_q(text, prefix="customer__") if looks_like_phone(text) else Q())
        | (customer_email_q(text, prefix="customer__") if "@" in text else Q())
    )
    return set(Case.objects.filter(q).values_list("pk", flat=True))


def found(user, text: str) -> set[int]:
    return {c.pk for c in case_list(user=user, filters=CaseFilters(text=text))}


def assert_same_as_scan(user, text: str) -> set[int]:
    hits = found(user, text)
    assert hits == scan(text), text
    return hits


@pytest.fixture
def cases(world):
    def case(**kw):
        return make_case(department=world.service, **kw)

    return {
        "subject": case(subject="翡翠手镯断了一截", description="收到时就是坏的。"),
        "description": case(subject="售后", description="买的翡翠手镯有裂纹，要求退货。"),
        "order": case(order_number="JD-778899-Ab", subject="物流", description="没收到"),
        "name": case(
            customer=make_customer(name="欧阳翡翠", phone="13912345678", email="ou@example.com"),
            subject="发票",
            description="发票抬头错了",
        ),
        "ascii": case(subject="iPhone Screen cracked", description="Glass BROKEN on arrival"),
        "quote": case(subject='写着"正品"却是假货', description="100% 假的，a_b 型号"),
        "other": case(subject="空调漏水", description="安装后一直漏水"),
    }


def names_of(pks, cases):
    return {name for name, case in cases.items() if case.pk in pks}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("翡翠手镯", {"subject", "description"}),  # 4 characters: through the index
        ("翡翠", {"subject", "description", "name"}),  # 2 characters: the scan fallback
        ("欧阳翡翠", {"name"}),
        ("778899-ab", {"order"}),  # mixed-case ASCII, case-insensitive
        ("screen CRACKED", {"ascii"}),
        ("broken", {"ascii"}),
        ('"正品"', {"quote"}),  # quotes are text, not FTS syntax
        ("100%", {"quote"}),  # LIKE wildcards are text too
        ("a_b", {"quote"}),
        ("13912345678", {"name"}),  # phone: blind index, exact
        ("ou@example.com", {"name"}),  # email: blind index, exact
        ("不存在的词语", set()),
        ("  漏水  ", {"other"}),
    ],
)
def test_each_field_is_found_as_the_scan_finds_it(world, cases, term, expected):
    hits = assert_same_as_scan(world.root, term)
    assert names_of(hits, cases) == expected


def test_case_number_substring(world, cases):
    number = cases["other"].number
    assert names_of(assert_same_as_scan(world.root, number[-8:]), cases) == {"other"}
    assert names_of(assert_same_as_scan(world.root, number.lower()), cases) == {"other"}


def test_non_ascii_case_folding_matches_the_engines_scan(world):
    # SQLite's LIKE folds ASCII only, PostgreSQL's UPPER all of Unicode: the indexed
    # search keeps whichever the engine's scan does (FTS5 folds more, then re-checks).
    make_case(department=world.service, subject="École fermée", description="Ça ne marche pas")
    for term in ("école", "ÉCOLE", "ça ne", "École"):
        assert_same_as_scan(world.root, term)
    assert found(world.root, "École")


def test_edits_and_deletes_are_searchable_at_once(world, cases):
    case = cases["other"]
    case.subject = "蓝牙耳机左耳没声音"
    case.save()
    assert names_of(assert_same_as_scan(world.root, "蓝牙耳机"), cases) == {"other"}
    assert assert_same_as_scan(world.root, "空调漏水") == set()

    Case.objects.filter(pk=case.pk).update(description="换货后仍有杂音", order_number="TB-5566")
    assert names_of(assert_same_as_scan(world.root, "仍有杂音"), cases) == {"other"}
    assert names_of(assert_same_as_scan(world.root, "tb-556"), cases) == {"other"}
    assert assert_same_as_scan(world.root, "一直漏水") == set()

    # A save that changes no searched column leaves the index as it was.
    Case.objects.filter(pk=case.pk).update(severity="major")
    assert names_of(assert_same_as_scan(world.root, "仍有杂音"), cases) == {"other"}

    Customer.objects.filter(pk=cases["name"].customer_id).update(name="司马相如")
    assert names_of(assert_same_as_scan(world.root, "司马相如"), cases) == {"name"}
    assert assert_same_as_scan(world.root, "欧阳翡翠") == set()

    gone = cases["subject"]
    gone.tags.clear()
    gone.events.all().delete()
    Case.objects.filter(pk=gone.pk).delete()
    assert names_of(assert_same_as_scan(world.root, "翡翠手镯"), cases) == {"description"}
    _assert_index_consistent()


def test_new_cases_are_searchable(world, cases):
    new = make_case(department=world.service, subject="扫地机器人不充电")
    assert found(world.root, "机器人不充电") == {new.pk}


def test_search_stays_inside_the_users_scope(world, cases):
    make_case(department=world.logistics, subject="翡翠手镯丢件")
    # alice (service agent) sees only her own and unassigned service cases.
    assert_same_as_scan(world.root, "翡翠手镯")
    alice_hits = found(world.alice, "翡翠手镯")
    visible = {c.pk for c in case_list(user=world.alice, filters=CaseFilters())}
    assert alice_hits == scan("翡翠手镯") & visible


@pytest.mark.parametrize("sort", list(SORTS))
def test_pages_keep_the_queue_order(world, sort):
    for i in range(7):
        make_case(department=world.service, subject=f"翡翠手镯第{i}号", priority=1 + i % 4)
    qs = case_list(user=world.root, filters=CaseFilters(text="翡翠手镯", sort=sort))
    everything = list(qs.values_list("pk", flat=True))
    assert len(everything) == 7
    pages = [qs[0:3], qs[3:6], qs[6:9]]
    assert [c.pk for page in pages for c in page] == everything
    # The page's rows carry the queue's annotations and joins.
    first = qs[0:3][0]
    assert hasattr(first, "sla_due")
    assert first.customer.name


def test_a_search_page_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    for i in range(30):
        make_case(department=world.service, subject=f"翡翠手镯{i}")
    qs = case_list(user=world.root, filters=CaseFilters(text="翡翠手镯"))
    # ids of the page, then its rows, then their tags.
    with django_assert_max_num_queries(3):
        page = list(qs[0:25])
    assert len(page) == 25


def test_a_rebuilt_table_gets_its_search_index_back(world, cases):
    # On SQLite a migration that rebuilds cases_case drops its triggers; the post-migrate
    # repair puts them back and refills the index. Nothing to repair on PostgreSQL.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER cases_case_fts_insert")
        late = make_case(department=world.service, subject="漏掉的翡翠手镯")
        assert ensure_search_index(connection.alias) == ["cases_case_fts"]
        assert late.pk in found(world.root, "漏掉的翡翠")
    assert ensure_search_index(connection.alias) == []
    _assert_index_consistent()


def _assert_index_consistent():
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for table in ("cases_case_fts", "cases_customer_fts"):
                # Raises if the index and the table it indexes disagree.
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")  # noqa: S608


@pytest.mark.postgres
def test_postgresql_plans_use_the_trigram_indexes(world, cases):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: pg_trgm indexes")
    qs = case_list(user=world.root, filters=CaseFilters(text="翡翠手镯"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    for index in (
        "cases_case_subject_trgm",
        "cases_case_description_trgm",
        "cases_case_number_trgm",
        "cases_case_order_number_trgm",
        "cases_customer_name_trgm",
    ):
        assert index in plan, plan
    assert_same_as_scan(world.root, "翡翠手镯")


def test_search_combines_with_the_other_filters(world, cases):
    Case.objects.filter(pk=cases["subject"].pk).update(status="closed")
    for text in ("翡翠手镯", "翡翠", "screen"):
        listed = case_list(user=world.root, filters=CaseFilters(text=text, status=["closed"]))
        closed = set(Case.objects.filter(status="closed").values_list("pk", flat=True))
        assert {c.pk for c in listed} == scan(text) & closed
