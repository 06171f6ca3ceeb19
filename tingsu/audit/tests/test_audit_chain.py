"""Every entry is chained to the one before it, with the request's IP and user agent."""

import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tingsu.audit.chain import GENESIS_HASH
from tingsu.audit.models import AuditChainHead, AuditEntry
from tingsu.audit.services import audit_record
from tingsu.audit.testing import record_entries
from tingsu.audit.verify import audit_chain_verify
from tingsu.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_each_entry_links_to_the_one_before(world):
    first, second, third = record_entries(world.alice, world.service, 3)
    assert [second.seq, third.seq] == [first.seq + 1, first.seq + 2]
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3
    assert all(len(e.hash) == 64 for e in (first, second, third))
    head = AuditChainHead.objects.get()
    assert (head.seq, head.hash) == (third.seq, third.hash)
    assert audit_chain_verify().ok


def test_the_chain_starts_from_the_genesis_hash(world):
    record_entries(world.alice, world.service, 2)
    first = AuditEntry.objects.order_by("seq").first()
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH


def test_chinese_emoji_and_nested_changes_still_verify_after_reading_back(world):
    with transaction.atomic():
        audit_record(
            actor=world.alice,
            action="case.update",
            obj=world.service,
            changes={
                "描述": {"before": "快递破损 😡", "after": "已处理\u200b"},
                "numbers": (1, 2.5, None, True),
                "z": {"b": 1, "a": [{"y": 2, "x": 1}]},
            },
        )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.changes["描述"]["before"] == "快递破损 😡"
    assert entry.changes["numbers"] == [1, 2.5, None, True]
    assert audit_chain_verify().ok


def test_a_rolled_back_change_leaves_no_gap_in_the_chain(world):
    (before,) = record_entries(world.alice, world.service, 1)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=world.alice, action="case.view", obj=world.service)
        raise RuntimeError("the change failed")
    (after,) = record_entries(world.alice, world.service, 1)
    assert after.seq == before.seq + 1 and after.prev_hash == before.hash
    assert audit_chain_verify().ok


def test_an_entry_about_many_rows_names_a_type_instead_of_an_object(world):
    with transaction.atomic():
        entry = audit_record(
            actor=world.quinn,
            action="audit.export",
            object_type="audit.auditentry",
            object_id="",
            changes={"rows": 3},
        )
    assert (entry.object_type, entry.object_id) == ("audit.auditentry", "")
    assert audit_chain_verify().ok


def _verify_through_the_page(client, world, **headers):
    client.login(username="quinn", password=PASSWORD)
    response = client.post(reverse("audit:verify"), **headers)
    assert response.status_code == 302
    return AuditEntry.objects.filter(action="audit.verify").latest("seq")


def test_it_records_the_requests_ip_and_user_agent(client, world):
    entry = _verify_through_the_page(
        client, world, REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (听诉 test)"
    )
    assert entry.ip == "203.0.113.9"
    assert entry.user_agent == "Mozilla/5.0 (听诉 test)"
    assert entry.actor == world.quinn
    assert audit_chain_verify().ok


def test_it_truncates_a_very_long_user_agent(client, world):
    entry = _verify_through_the_page(client, world, HTTP_USER_AGENT="A" * 5000)
    assert entry.user_agent == "A" * 256


def test_it_ignores_x_forwarded_for_without_trusted_proxies(client, world):
    entry = _verify_through_the_page(
        client, world, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert entry.ip == "10.0.0.5"


def test_behind_one_trusted_proxy_the_client_is_the_last_forwarded_address(client, world, settings):
    settings.TINGSU = {**settings.TINGSU, "TRUSTED_PROXIES": 1}
    entry = _verify_through_the_page(
        client,
        world,
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.1",  # the first hop is the client's own claim
    )
    assert entry.ip == "198.51.100.1"


def test_an_ipv4_mapped_address_is_stored_as_ipv4(client, world):
    entry = _verify_through_the_page(client, world, REMOTE_ADDR="::ffff:192.0.2.7")
    assert entry.ip == "192.0.2.7"
    assert audit_chain_verify().ok


def test_an_entry_outside_a_request_has_no_ip(world):
    (entry,) = record_entries(world.alice, world.service, 1)
    assert entry.ip is None and entry.user_agent == ""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_appending_at_once_on_postgresql_never_fork_the_chain():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row lock on the chain head")
    from tingsu.core.testing import make_world

    world = make_world()
    threads, per_thread = 6, 10
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def append():
        try:
            start.wait()
            record_entries(world.alice, world.service, per_thread)
        except BaseException as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=append) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, threads * per_thread + 1))
    result = audit_chain_verify()
    assert result.ok, result.message
    assert result.checked == threads * per_thread


@pytest.mark.parametrize("ip", ["2001:DB8:0:0:1::1", "2001:db8:0:1:1:1:1:1", "fe80::1", "::1"])
def test_an_ipv6_address_reads_back_as_it_was_hashed(world, ip):
    with transaction.atomic():
        entry = audit_record(actor=world.alice, action="case.view", obj=world.service, ip=ip)
    assert AuditEntry.objects.get(pk=entry.pk).ip == entry.ip
    assert audit_chain_verify().ok


NUMBERS = [1e20, -0.0, 1.5e-7, 0.1 + 0.2, 1e300, 2**63, 2.5e15]


def test_numbers_that_jsonb_rewrites_still_verify(world):
    with transaction.atomic():
        audit_record(
            actor=world.alice, action="case.update", obj=world.service, changes={"n": NUMBERS}
        )
    assert audit_chain_verify().ok


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=8).filter(lambda k: "\x00" not in k), children, max_size=4
        )
    ),
    max_leaves=12,
)


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.dictionaries(
        st.text(max_size=8).filter(lambda k: "\x00" not in k), json_values, max_size=5
    )
)
def test_any_json_changes_verify_after_reading_back(world, changes):
    with transaction.atomic():
        audit_record(actor=world.alice, action="case.update", obj=world.service, changes=changes)
    result = audit_chain_verify()
    assert result.ok, result.message
