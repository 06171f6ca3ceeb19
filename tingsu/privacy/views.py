from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tingsu.core.errors import ErrorCode, TingsuError
from tingsu.desk.views.common import case_or_404, case_page_context
from tingsu.privacy.services import pii_reveal


@login_required
@require_POST
def case_reveal(request, number: str):
    """The case page once more, unmasked for this response only, after an audited reveal."""
    case = case_or_404(request.user, number)
    try:
        pii_reveal(actor=request.user, case=case, reason=request.POST.get("reason", ""))
    except TingsuError as exc:
        if exc.code == ErrorCode.PERMISSION_DENIED:
            raise PermissionDenied(exc.message) from None
        ctx = case_page_context(request, case)
        ctx["reveal_error"] = exc.message
        return render(request, "desk/case.html", ctx, status=400)
    ctx = case_page_context(request, case)
    ctx.update(pii_clear=True, revealed=True)
    return render(request, "desk/case.html", ctx)
