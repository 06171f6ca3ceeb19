"""The current request's client address and user agent, for audit entries.

Set by tingsu.audit.middleware.AuditContextMiddleware; empty outside a request (commands,
workers), where entries carry no IP.
"""

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""


EMPTY = RequestContext()
request_context: ContextVar[RequestContext] = ContextVar("tingsu_audit_request", default=EMPTY)


def clean_ip(value: str | None) -> str | None:
    """A valid address in the form both databases give back, or None."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)
