import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI, Swagger

from tingsu.api.errors import register_error_handlers
from tingsu.api.parser import StrictParser
from tingsu.cases.api import router as cases_router
from tingsu.portal.api import router as portal_router
from tingsu.sla.api import router as sla_router


class SwaggerWithCsrf(Swagger):
    """Swagger UI that sends the CSRF token, so logged-in staff can try writes.

    Ninja only adds it when the API-wide auth needs CSRF; ours is set per operation."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {
            "swagger_settings": json.dumps(self.settings, indent=1),
            "api": api,
            "add_csrf": True,
        }
        return render(request, self.template, context)


api = NinjaAPI(
    docs=SwaggerWithCsrf(),
    parser=StrictParser(),
    title="Tingsu API",
    version="1",
    urls_namespace="api",
    description=(
        "Complaint intake and case handling. Authenticate with a staff API key sent as "
        "`Authorization: Bearer tsk_…`; its scopes (intake, read, write) limit the operations, "
        "and reads and writes act within the data scope of the user the key acts as. "
        "Logged-in staff can also call the API from this page with their session. "
        'Every error has the shape `{"code", "message", "detail"}`.'
    ),
)
register_error_handlers(api)
api.add_router("/", cases_router)
api.add_router("/", sla_router)
api.add_router("/portal", portal_router)
