"""Property tests over intake: random Unicode, sizes and types through the portal form and
the API never give a 5xx; a success always files exactly one case and a refusal none.
(The whole API schema is also driven by schemathesis in tingsu/api/tests/test_schemathesis.py.)
"""

import json
import uuid

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tingsu.accounts.models import ApiKeyScope
from tingsu.cases.models import Case

pytestmark = pytest.mark.django_db

BOUNDED = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Any Unicode the browser can send (no lone surrogates), weighted towards the awkward.
form_text = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.sampled_from(["", " ", "\u200b", "𠮷🧧", "=SUM(1)", "<script>x</script>", "a\r\nBcc: x"]),
    st.text(st.sampled_from("投诉快递破损😡\u200b\r\n\t\x00ＡＢＣ"), min_size=1, max_size=50),
    st.builds(lambda n: "长" * n, st.integers(min_value=0, max_value=21_000)),
)
# JSON can carry anything: lone surrogates, numbers, nulls, lists, objects.
json_scalar = st.one_of(
    st.text(max_size=300),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


def _new_cases(before: int) -> int:
    return Case.objects.count() - before


unicode_line = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)
# Half of the submissions are plausible (random Unicode in valid shapes), half anything.
plausible_form = st.fixed_dictionaries(
    {
        "name": unicode_line,
        "phone": st.just(""),
        "email": st.just("wf@example.com"),
        "subject": st.one_of(st.just(""), unicode_line),
        "description": st.text(st.characters(blacklist_categories=("Cs",)), min_size=1),
        "order_number": st.just(""),
        "category": st.just(""),
    }
)
random_form = st.fixed_dictionaries(
    {
        "name": form_text,
        "phone": st.one_of(st.just(""), st.text(st.sampled_from("+0123456789 -x"), max_size=40)),
        "email": st.one_of(st.just("wf@example.com"), st.just(""), st.emails(), form_text),
        "subject": form_text,
        "description": form_text,
        "order_number": form_text,
        "category": st.one_of(st.just(""), st.text(max_size=5), st.integers().map(str)),
    }
)


@given(form=st.one_of(plausible_form, random_form))
@BOUNDED
def test_the_portal_form_never_fails_and_files_one_case_or_none(client, world, form):
    before = Case.objects.count()
    response = client.post("/portal/new/", {**form, "idempotency_key": str(uuid.uuid4())})

    event(f"status {response.status_code}")
    assert response.status_code < 500
    if response.status_code == 302:
        assert _new_cases(before) == 1
    else:
        assert response.status_code in (200, 400)
        assert _new_cases(before) == 0


@pytest.fixture
def intake_key(make_key):
    return make_key(scopes=[ApiKeyScope.INTAKE])


customer = st.one_of(
    st.fixed_dictionaries(
        {"name": json_scalar},
        optional={"email": json_scalar, "phone": json_scalar, "customer_number": json_scalar},
    ),
    st.fixed_dictionaries(
        {
            "name": st.text(min_size=1, max_size=120),
            "email": st.just("wf@example.com"),
        }
    ),
    json_value,
)
complaint = st.fixed_dictionaries(
    {
        "customer": customer,
        "subject": st.one_of(st.text(max_size=250), json_value),
        "description": st.one_of(st.text(min_size=1, max_size=500), json_value),
    },
    optional={
        "severity": st.one_of(st.sampled_from(["normal", "urgent", "major"]), json_value),
        "category": json_value,
        "tags": st.one_of(st.lists(st.text(max_size=40), max_size=12), json_value),
        "custom_fields": json_value,
        "order_number": json_value,
    },
)


plausible_complaint = st.fixed_dictionaries(
    {
        "customer": st.fixed_dictionaries(
            {"name": unicode_line, "email": st.just("wf@example.com")}
        ),
        "subject": st.one_of(st.just(""), unicode_line),
        "description": unicode_line,
    },
    optional={"tags": st.lists(unicode_line, max_size=5)},
)


@given(body=st.one_of(plausible_complaint, complaint, json_value))
@BOUNDED
def test_api_intake_never_fails_and_files_one_case_or_none(client, world, intake_key, body):
    before = Case.objects.count()
    response = client.post(
        "/api/v1/complaints",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {intake_key}"},
    )

    event(f"status {response.status_code}")
    assert response.status_code < 500, response.content
    payload = response.json()
    if 200 <= response.status_code < 300:
        assert _new_cases(before) == 1
        assert Case.objects.filter(number=payload["number"]).exists()
    else:
        assert set(payload) == {"code", "message", "detail"}
        assert _new_cases(before) == 0
