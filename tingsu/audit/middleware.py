from django.conf import settings

from tingsu.audit.context import RequestContext, clean_ip, request_context

USER_AGENT_MAX = 256


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address the Nth trusted proxy saw when TRUSTED_PROXIES = N.

    X-Forwarded-For is only believed behind a configured number of proxies: each proxy
    appends the address it received from, so the client is the Nth entry from the right.
    Anything a client puts further left is ignored.
    """
    proxies = settings.TINGSU.get("TRUSTED_PROXIES", 0)
    if proxies > 0:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return clean_ip(hops[-proxies])
    return clean_ip(request.META.get("REMOTE_ADDR"))


class AuditContextMiddleware:
    """Keeps the client's IP and user agent where audit_record can find them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
        token = request_context.set(RequestContext(ip=client_ip(request), user_agent=agent))
        try:
            return self.get_response(request)
        finally:
            request_context.reset(token)
