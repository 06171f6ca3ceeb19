"""Turn the codes and usernames a client sends into rows, or a 422 naming the field."""

from django.db.models import Model
from django.utils.translation import gettext as _

from tingsu.accounts.models import Department, Role, User
from tingsu.cases.models import Category, ResolutionCode, RootCause
from tingsu.core.errors import ValidationFailed


def _by_code(model: type[Model], field: str, code: str) -> Model:
    obj = model.objects.filter(code=code, is_active=True).first()
    if obj is None:
        raise ValidationFailed(
            _("Unknown %(field)s: %(code)s") % {"field": field, "code": code},
            {field: [_("No active entry has this code.")]},
        )
    return obj


def category_by_code(code: str, *, field: str = "category") -> Category:
    return _by_code(Category, field, code)


def resolution_code_by_code(code: str) -> ResolutionCode:
    return _by_code(ResolutionCode, "resolution_code", code)


def root_cause_by_code(code: str) -> RootCause:
    return _by_code(RootCause, "root_cause", code)


def department_by_code(code: str) -> Department:
    return _by_code(Department, "department", code)


def staff_by_username(username: str) -> User:
    user = (
        User.objects.filter(username=username, is_active=True).exclude(role=Role.COMPLIANCE).first()
    )
    if user is None:
        raise ValidationFailed(
            _("No active staff member is called %(name)s.") % {"name": username},
            {"assignee": [_("Choose an active agent or supervisor.")]},
        )
    return user
