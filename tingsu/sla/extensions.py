"""Extension requests (银行保险机构消费投诉处理管理办法): an agent asks, and the second
extension waits for a supervisor's approval before sla_timer_extend runs."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.accounts.models import Role, User
from tingsu.channels import notify
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed

from .models import (
    ExtensionRequestStatus,
    SlaExtension,
    SlaExtensionRequest,
    SlaTimer,
    TimerKind,
)
from .services import (
    can_approve_extensions,
    next_extension_number,
    sla_audit,
    sla_note,
    sla_timer_extend,
)


def running_resolution_timer(case) -> SlaTimer:
    """The case's running resolution timer, the one an extension moves; refused (409) when
    it has none."""
    timer = SlaTimer.objects.filter(
        case=case, kind=TimerKind.RESOLUTION, stopped_at__isnull=True
    ).first()
    if timer is None:
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION, _("This case has no running resolution deadline.")
        )
    return timer


@transaction.atomic
def sla_extension_request(
    *, timer: SlaTimer, user: User, reason: str
) -> SlaExtension | SlaExtensionRequest:
    """A person asks for more time. The first extension is granted at once; a later one is
    granted at once for a supervisor, and otherwise waits for a supervisor's approval."""
    from tingsu.cases.permissions import check_staff_can_act

    check_staff_can_act(user)
    timer = SlaTimer.objects.select_for_update().select_related("policy", "case").get(pk=timer.pk)
    number = next_extension_number(timer)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("An extension needs a reason."), {"reason": [_("This field is required.")]}
        )
    if number == 1:
        return sla_timer_extend(timer=timer, user=user, reason=reason)
    if can_approve_extensions(user):
        return sla_timer_extend(timer=timer, user=user, reason=reason, approved_by=user)
    if timer.extension_requests.filter(status=ExtensionRequestStatus.PENDING).exists():
        raise TingsuError(
            ErrorCode.INVALID_TRANSITION, _("An extension request is already waiting.")
        )
    request = SlaExtensionRequest.objects.create(
        timer=timer, number=number, reason=reason, requested_by=user
    )
    case = timer.case
    sla_note(
        case,
        _("Extension %(n)d requested, waiting for a supervisor: %(reason)s")
        % {"n": number, "reason": reason},
        {"action": "extension_requested", "number": number},
        author=user,
    )
    sla_audit(case, "sla.extension_request", {"extension": number, "reason": reason}, actor=user)
    notify.staff_extension_requested(
        case,
        actor=user,
        message=_("%(user)s asks for extension %(n)d: %(reason)s")
        % {"user": user.label, "n": number, "reason": reason},
        cause=f"sla-extension-request-{request.pk}",
    )
    return request


@transaction.atomic
def sla_extension_decide(
    *, request: SlaExtensionRequest, user: User, approve: bool
) -> SlaExtensionRequest:
    """A supervisor (of the case's department) or an admin approves or rejects a request."""
    from tingsu.cases.permissions import check_staff_can_act

    check_staff_can_act(user)
    request = (
        SlaExtensionRequest.objects.select_for_update()
        .select_related("timer__case", "requested_by")
        .get(pk=request.pk)
    )
    case = request.timer.case
    admin = user.is_superuser or user.role == Role.ADMIN
    own_department = user.role == Role.SUPERVISOR and user.department_id == case.department_id
    if not (admin or own_department):
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED,
            _("Only a supervisor of the case's department can decide on an extension."),
        )
    if request.status != ExtensionRequestStatus.PENDING:
        raise TingsuError(ErrorCode.INVALID_TRANSITION, _("This request was already decided."))
    if approve:
        sla_timer_extend(
            timer=request.timer,
            user=request.requested_by,
            reason=request.reason,
            approved_by=user,
        )
    else:
        sla_note(
            case,
            _("Extension %(n)d rejected.") % {"n": request.number},
            {"action": "extension_rejected", "number": request.number},
            author=user,
        )
        sla_audit(case, "sla.extension_reject", {"extension": request.number}, actor=user)
    request.status = ExtensionRequestStatus.APPROVED if approve else ExtensionRequestStatus.REJECTED
    request.decided_by, request.decided_at = user, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    decided = _("Extension %(n)d approved.") if approve else _("Extension %(n)d rejected.")
    notify.staff_extension_decided(
        case,
        requester=request.requested_by,
        actor=user,
        message=decided % {"n": request.number},
        cause=f"sla-extension-decided-{request.pk}",
    )
    return request
