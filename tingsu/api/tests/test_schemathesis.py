"""Property-based run over the whole OpenAPI schema: no 5xx, responses match the schema.

Driven through hypothesis directly, one operation at a time: schemathesis' pytest plugin
(`schema.parametrize`) does not work with pytest 9 yet (it sets `node._nodeid`).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tingsu.accounts.models import ApiKeyScope
from tingsu.accounts.services import api_key_create
from tingsu.core.testing import make_case

pytestmark = pytest.mark.django_db

CHECKS = [schemathesis.checks.not_a_server_error, response_schema_conformance]


@pytest.fixture
def target(world):
    for i in range(3):
        make_case(subject=f"样例投诉{i}", category=world.category)
    make_case(assignee=world.alice, subject="已分派")
    return make_case(assignee=world.alice, subject="供 schemathesis 改动")


@pytest.fixture
def keep_db_connection():
    # Like Django's test client: a WSGI request must not close the connection that holds
    # the test's transaction (PostgreSQL would lose it).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_key(world):
    _, raw = api_key_create(
        actor=world.root,
        name="schemathesis",
        scopes=list(ApiKeyScope.values),
        user=world.root,
        rate_limit_per_minute=1_000_000,
    )
    return raw


def operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


def run_operation(operation, mode, *, headers, path_parameters, query):
    strategy = operation.as_strategy(
        mode, headers=headers, path_parameters=path_parameters, query=query
    )

    @given(case=strategy)
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_never_errors_and_matches_its_schema(target, admin_key, keep_db_connection, mode):
    ops = operations()
    assert len(ops) >= 9
    positive = mode == GenerationMode.POSITIVE
    for operation in ops:
        # Positive runs aim at a real case (and its portal token) so writes get exercised;
        # negative runs leave every parameter free to be broken.
        on_target = positive and "{number}" in operation.path
        run_operation(
            operation,
            mode,
            headers={"Authorization": f"Bearer {admin_key}"},
            path_parameters={"number": target.number} if on_target else None,
            query={"token": target.access_token()}
            if on_target and "portal" in operation.path
            else None,
        )
