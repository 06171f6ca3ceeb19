"""ReplicaRouter: reads inside using_replica() go to the replica, everything else to the
primary. The "replica" is a second connection alias to the same PostgreSQL test database,
so the test sees which connection ran each query."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tingsu.cases.models import Case
from tingsu.core.testing import make_case, make_customer, make_world
from tingsu.customers.models import Customer
from tingsu.db_routers import REPLICA_ALIAS, using_replica

# The replica alias exists only on PostgreSQL (elsewhere the tests skip).
ALIASES = ["default", REPLICA_ALIAS] if connection.vendor == "postgresql" else ["default"]


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup):
    """Before the test case is set up (it checks its `databases`), a `replica` alias on a
    connection of its own to the test database."""
    if connection.vendor != "postgresql":
        yield
        return
    connections.settings[REPLICA_ALIAS] = {**connections.settings["default"]}
    try:
        yield
    finally:
        connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        del connections.settings[REPLICA_ALIAS]


@pytest.fixture
def replica(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: a second connection to the same test database")
    settings.DATABASE_ROUTERS = ["tingsu.db_routers.ReplicaRouter"]
    return connections[REPLICA_ALIAS]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_reads_inside_using_replica_go_to_the_replica_and_writes_to_the_primary(replica):
    world = make_world()
    case = make_case(customer=make_customer(), category=world.category)
    primary = connections["default"]
    with (
        CaptureQueriesContext(primary) as on_primary,
        CaptureQueriesContext(replica) as on_replica,
        using_replica(),
    ):
        assert Case.objects.filter(pk=case.pk).count() == 1
        read = Case.objects.get(pk=case.pk)
        assert read._state.db == REPLICA_ALIAS
        # A write inside the block, also of an object read from the replica, goes to the
        # primary.
        Customer.objects.create(name="王五")
        read.subject = "改到主库"
        read.save(update_fields=["subject"])
    assert len(on_replica) == 2
    assert all("SELECT" in q["sql"] for q in on_replica.captured_queries)
    writes = [q["sql"] for q in on_primary.captured_queries]
    assert any(sql.startswith("INSERT") and "customers_customer" in sql for sql in writes)
    assert any(sql.startswith("UPDATE") and "cases_case" in sql for sql in writes)
    assert Case.objects.get(pk=case.pk).subject == "改到主库"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_reads_outside_using_replica_stay_on_the_primary(replica):
    world = make_world()
    case = make_case(customer=make_customer(), category=world.category)
    with CaptureQueriesContext(replica) as on_replica:
        with using_replica():
            read = Case.objects.get(pk=case.pk)
        # Following a relation after the block reads the primary, not the replica.
        assert read.customer.pk == case.customer_id
        assert Case.objects.filter(pk=case.pk).exists()
    assert len(on_replica) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=ALIASES)
def test_the_desk_export_reads_its_rows_from_the_replica(replica, client):
    world = make_world()
    case = make_case(customer=make_customer(), category=world.category, department=world.service)
    client.force_login(world.carol)
    primary = connections["default"]
    with (
        CaptureQueriesContext(primary) as on_primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        response = client.get("/desk/export/?format=csv")
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert case.number in body
    on_replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    assert "cases_case" in on_replica_sql  # the count and the rows
    # The export's audit entry is a write, so it went to the primary.
    assert any("audit_auditentry" in q["sql"] for q in on_primary.captured_queries)
    assert not any(q["sql"].startswith("INSERT") for q in on_replica.captured_queries)
