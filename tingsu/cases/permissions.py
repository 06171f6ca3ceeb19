"""Data scopes and action checks. A case outside the caller's scope does not exist for
them: every fetch answers NotFound (404), never 403, so numbers cannot be probed."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from tingsu.accounts.models import Role, User
from tingsu.cases.models import Case
from tingsu.core.errors import ErrorCode, NotFound, TingsuError


def case_scope_q(user: User) -> Q:
    """Which cases a staff user may see.

    Agent: their own, plus their department's unassigned ones.
    Supervisor: their department. Admin and compliance: all.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.role in (Role.ADMIN, Role.COMPLIANCE):
        return Q()
    if user.role == Role.SUPERVISOR:
        return Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    own = Q(assignee_id=user.pk)
    if user.department_id:
        own |= Q(department_id=user.department_id, assignee__isnull=True)
    return own


def scoped_cases(user: User) -> QuerySet[Case]:
    return Case.objects.filter(case_scope_q(user))


def access_case(*, user: User, number: str, for_update: bool = False) -> Case:
    qs = scoped_cases(user).select_related(
        "customer", "category", "category__parent", "assignee", "department"
    )
    case = qs.filter(number=number).first()
    if case is None:
        raise NotFound(_("Case not found."))
    return case


def access_case_by_token(*, number: str, token: str) -> Case:
    """The customer's way in: the case number plus its secret token."""
    case = (
        Case.objects.select_related("customer", "category", "category__parent")
        .filter(number=number)
        .first()
    )
    if case is None or not case.check_access_token(token or ""):
        raise NotFound(_("Case not found. Check the link you were sent."))
    return case


def is_staff_actor(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def check_staff_can_act(user: User | None) -> None:
    if not is_staff_actor(user):
        raise TingsuError(ErrorCode.NOT_AUTHENTICATED, _("Please log in."))
    if user.role == Role.COMPLIANCE and not user.is_superuser:
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED, _("Compliance officers have read-only access.")
        )


def check_assignee_eligible(assignee: User) -> None:
    if not assignee.is_active or assignee.role == Role.COMPLIANCE:
        raise TingsuError(
            ErrorCode.VALIDATION,
            _("%(name)s cannot take cases.") % {"name": assignee.label},
            {"assignee": [_("Choose an active agent or supervisor.")]},
        )


def check_can_assign(actor: User | None, case: Case, assignee: User) -> None:
    check_staff_can_act(actor)
    check_assignee_eligible(assignee)
    if actor.is_superuser or actor.role == Role.ADMIN:
        return
    if not _may_take(actor, case):
        raise NotFound(_("Case not found."))
    if actor.role == Role.SUPERVISOR:
        if assignee.department_id != actor.department_id:
            raise TingsuError(
                ErrorCode.PERMISSION_DENIED,
                _("Supervisors assign within their own department; transfer the case instead."),
            )
        return
    if assignee.pk != actor.pk:
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED, _("Agents can only take cases for themselves.")
        )


def _may_take(actor: User, case: Case) -> bool:
    """The case is in the actor's scope, or is unassigned and has no department yet.

    Checked in memory on the locked case, so an agent cannot take a colleague's case or
    another department's, and a supervisor cannot pull in another department's case.
    """
    if case.department_id is None and case.assignee_id is None:
        return True
    if actor.role == Role.SUPERVISOR:
        return actor.department_id is not None and case.department_id == actor.department_id
    if case.assignee_id == actor.pk:
        return True
    return (
        case.assignee_id is None
        and actor.department_id is not None
        and case.department_id == actor.department_id
    )


def check_can_edit_fields(actor: User | None, fields: list[str]) -> None:
    check_staff_can_act(actor)
