from ninja import NinjaAPI

from tingsu.api.errors import register_error_handlers
from tingsu.cases.api import router as cases_router
from tingsu.portal.api import router as portal_router

api = NinjaAPI(
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
api.add_router("/portal", portal_router)
