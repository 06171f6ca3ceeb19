"""SLA reads for the pages."""

import copy

from django.db.models import OuterRef

from tingsu.cases.models import Case
from tingsu.core.subqueries import any_row
from tingsu.sla.models import ExtensionRequestStatus, SlaExtensionRequest, SlaTimer
from tingsu.sla.services import policies_by_key


def case_timers(*, case: Case) -> list[SlaTimer]:
    """The case's timers, newest first, each with its policy and .has_pending_requests
    (whether an extension request waits for a decision), in one statement: the policies
    come from the configuration cache instead of a join, and the case page asks for the
    pending requests only when there are some."""
    pending = SlaExtensionRequest.objects.filter(
        timer_id=OuterRef("pk"), status=ExtensionRequestStatus.PENDING
    )
    timers = list(
        SlaTimer.objects.filter(case=case)
        .annotate(has_pending_requests=any_row(pending))
        .order_by("-id")
    )
    policies = {policy.pk: policy for policy in policies_by_key().values()}
    field = SlaTimer._meta.get_field("policy")
    for timer in timers:
        policy = policies.get(timer.policy_id)
        if policy is not None:  # else Django reads it when asked
            field.set_cached_value(timer, copy.copy(policy))
    return timers
