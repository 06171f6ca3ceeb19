from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tingsu.cases.attachments import attachment_response
from tingsu.desk.views.common import case_or_404, case_page_context


@login_required
@require_GET
def case_detail(request, number: str):
    case = case_or_404(request.user, number)
    return render(request, "desk/case.html", case_page_context(request, case))


@login_required
@require_GET
def attachment_download(request, number: str, pk: int):
    case = case_or_404(request.user, number)  # the scope check comes before the file
    attachment = get_object_or_404(case.attachments, pk=pk)
    try:
        return attachment_response(attachment, inline_allowed=False)
    except FileNotFoundError:
        raise Http404 from None
