from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tingsu.cases.attachments import attachment_response
from tingsu.cases.permissions import access_attachment
from tingsu.core.config import config_scope
from tingsu.core.errors import NotFound
from tingsu.desk.views.common import case_page_context, case_page_or_404


@login_required
@require_GET
def case_detail(request, number: str):
    # The page reads several cached configuration lists (cases, SLA policies): one read of
    # the configuration version serves them all.
    with config_scope():
        case = case_page_or_404(request.user, number)
        return render(request, "desk/case.html", case_page_context(request, case))


@login_required
@require_GET
def attachment_download(request, number: str, pk: int):
    try:  # the scope check comes before the file
        attachment = access_attachment(user=request.user, number=number, attachment_id=pk)
    except NotFound:
        raise Http404 from None
    try:
        return attachment_response(attachment, inline_allowed=False)
    except FileNotFoundError:
        raise Http404 from None
