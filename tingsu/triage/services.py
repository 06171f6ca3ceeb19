"""Triage writes that are not case writes: agents going on or off duty."""

from django.db import transaction
from django.utils.translation import gettext as _

from tingsu.accounts.models import User
from tingsu.audit.services import audit_record
from tingsu.cases.models import Case, Status
from tingsu.cases.permissions import check_staff_can_act
from tingsu.cases.services import Actor, case_return_to_pool
from tingsu.triage.models import AgentProfile


@transaction.atomic
def agent_set_on_duty(*, actor: Actor, user: User, on_duty: bool) -> list[Case]:
    """Set the agent's duty status. Going off duty returns their assigned cases that are
    not started yet (new or assigned) to their department's pool. Returns those cases."""
    if actor.user is not None:
        check_staff_can_act(actor.user)
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=user)
    changed = profile.on_duty != on_duty
    if changed:
        profile.on_duty = on_duty
        profile.save(update_fields=["on_duty"])
        audit_record(
            actor=actor.user,
            action="triage.on_duty" if on_duty else "triage.off_duty",
            obj=profile,
            changes={"user": user.pk, "on_duty": on_duty},
            actor_label=actor.label,
        )
    returned = []
    if not on_duty:
        reason = _("Returned to pool: agent off duty")
        for case in Case.objects.filter(
            assignee=user, status__in=(Status.NEW, Status.ASSIGNED)
        ).order_by("pk"):
            returned.append(case_return_to_pool(actor=actor, case=case, reason=reason))
    return returned
