"""Data scopes and action checks. A case outside the caller's scope does not exist for
them: every fetch answers NotFound (404), never 403, so numbers cannot be probed."""

from django.db import transaction
from django.db.models import Exists, Q, QuerySet
from django.utils.translation import gettext as _

from tingsu.accounts.models import DataScope, Role, User
from tingsu.audit.services import audit_record
from tingsu.cases.models import Attachment, Case
from tingsu.core.errors import ErrorCode, NotFound, TingsuError

# Denials of numbers that do not exist at all are audited once per request (per user
# object), so a scanner cannot flood the chain; denials of real cases are always audited.
_UNKNOWN_DENIALS_ATTR = "_tingsu_unknown_denials"


def case_scope_q(user: User) -> Q:
    """Which cases a staff user may see: the one data-scope mechanism.

    The scope is `user.data_scope`, or by default from the role (agent: own, supervisor:
    department, admin and compliance: all).
    own: their cases plus their department's unassigned ones.
    team: cases of anyone in their team plus their department's unassigned ones.
    department: their department's cases. all: every case.
    `scope_categories`, if any, further limits to those categories and their children.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    scope = user.effective_scope
    if scope == DataScope.ALL:
        q = Q()
    elif scope == DataScope.DEPARTMENT:
        q = Q(department_id=user.department_id) if user.department_id else Q(pk__in=[])
    else:
        q = Q(assignee_id=user.pk)
        if scope == DataScope.TEAM and user.team_id:
            q |= Q(assignee__team_id=user.team_id)
        if user.department_id:
            q |= Q(department_id=user.department_id, assignee__isnull=True)
    # The category restriction is a subquery, not an extra query per request.
    limited = User.scope_categories.through.objects.filter(user_id=user.pk).values("category_id")
    q &= ~Exists(limited) | Q(category_id__in=limited) | Q(category__parent_id__in=limited)
    return q


def scoped_cases(user: User) -> QuerySet[Case]:
    return Case.objects.filter(case_scope_q(user))


def case_in_scope(user: User, case: Case) -> bool:
    return scoped_cases(user).filter(pk=case.pk).exists()


def access_denied_record(*, user, object_type: str, object_id: str, reason: str) -> None:
    """Audit a refused fetch (`access.denied`), in its own transaction."""
    if reason == "unknown":
        seen = getattr(user, _UNKNOWN_DENIALS_ATTR, 0) if user is not None else 0
        if seen:
            return
        if user is not None:
            setattr(user, _UNKNOWN_DENIALS_ATTR, seen + 1)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="access.denied",
            actor_label="" if getattr(user, "is_authenticated", False) else "anonymous",
            object_type=object_type,
            object_id=str(object_id)[:64],
            changes={"reason": reason},
        )


def access_case(
    *,
    user: User,
    number: str,
    for_update: bool = False,
    queryset: QuerySet[Case] | None = None,
) -> Case:
    """The case, in the user's scope. `queryset` replaces the default read (the case with
    its customer, category, assignee and department) when a page wants other rows with it
    (cases.selectors.case_page_queryset); the scope applies to it all the same."""
    if queryset is None:
        queryset = Case.objects.select_related(
            "customer", "category", "category__parent", "assignee", "department"
        )
    case = queryset.filter(case_scope_q(user), number=number).first()
    if case is None:
        exists = Case.objects.filter(number=number).exists()
        access_denied_record(
            user=user,
            object_type="cases.case",
            object_id=number,
            reason="out_of_scope" if exists else "unknown",
        )
        raise NotFound(_("Case not found."))
    return case


def access_attachment(*, user: User, number: str, attachment_id: int) -> Attachment:
    """An attachment of a case in the user's scope; any other id is a 404, audited."""
    case = access_case(user=user, number=number)
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        exists = Attachment.objects.filter(pk=attachment_id).exists()
        access_denied_record(
            user=user,
            object_type="cases.attachment",
            object_id=str(attachment_id),
            reason="other_case" if exists else "unknown",
        )
        raise NotFound(_("Attachment not found."))
    return attachment


def access_case_by_token(*, number: str, token: str) -> Case:
    """The customer's way in: the case number plus its secret token."""
    case = (
        Case.objects.select_related("customer", "category", "category__parent")
        .filter(number=number)
        .first()
    )
    if case is None or not case.check_access_token(token or ""):
        if case is not None:
            # Unknown numbers are not audited here: the look-up throttle bounds them.
            access_denied_record(
                user=None, object_type="cases.case", object_id=number, reason="bad_token"
            )
        raise NotFound(_("Case not found. Check the link you were sent."))
    return case


def access_public_attachment(*, case: Case, attachment_id: int) -> Attachment:
    """A public attachment of the customer's own case; another case's id is audited."""
    attachment = (
        case.attachments.filter(pk=attachment_id, is_public=True)
        .filter(Q(event__isnull=True) | Q(event__is_public=True))
        .first()
    )
    if attachment is None:
        if Attachment.objects.filter(pk=attachment_id).exclude(case=case).exists():
            access_denied_record(
                user=None,
                object_type="cases.attachment",
                object_id=str(attachment_id),
                reason="other_case",
            )
        raise NotFound(_("Attachment not found."))
    return attachment


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
    """The case is in the actor's data scope, or is unassigned and has no department yet.

    Read on the locked case inside the caller's transaction, so an agent cannot take a
    colleague's case or another department's, and a supervisor cannot pull in another
    department's case.
    """
    if case.department_id is None and case.assignee_id is None:
        return True
    return case_in_scope(actor, case)


def check_can_edit_fields(actor: User | None, fields: list[str]) -> None:
    check_staff_can_act(actor)
