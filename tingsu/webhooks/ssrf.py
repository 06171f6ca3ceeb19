"""Refuse webhook URLs that point into our own network.

A URL is checked twice: its form when it is saved (scheme, host, literal addresses) and
its DNS answer at send time, on every hop. The connection then goes to the vetted address
itself (see `webhooks.http`), so a name that resolves differently a moment later
(DNS rebinding) cannot slip through between the check and the connect.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED_SCHEMES = ("http", "https")

# Cloud instance metadata services: AWS/GCP/Azure/OpenStack, AWS IPv6, Alibaba Cloud.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "fc00::/7",  # unique local
        "fe80::/10",
        "ff00::/8",
    )
)


class UnsafeURL(Exception):
    """The URL may not be called: the message says why, for the admin form or the outbox."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written, without brackets; sent as Host and TLS SNI
    port: int
    path: str  # path plus query, never empty


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address hidden in a mapped (::ffff:a.b.c.d), NAT64 or 6to4 IPv6 address."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why this address is refused, or "" when it is a public unicast address."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return _("a scoped IPv6 address")
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return address_refusal(inner)
    if ip in METADATA_ADDRESSES:
        return _("a cloud metadata address")
    if ip.is_loopback:
        return _("a loopback address")
    if ip.is_link_local:
        return _("a link-local address")
    if ip.is_private:
        return _("a private address")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.is_unspecified or ip.is_reserved:
        return _("a reserved address")
    if any(ip in net for net in BLOCKED_NETWORKS if net.version == ip.version):
        return _("a non-public address")
    if not ip.is_global:
        return _("a non-public address")
    return ""


def _allowed_hosts() -> set[str]:
    # For tests only: lets them reach their local receiver on 127.0.0.1. Matched against the
    # host as written in the URL, never against what a name resolves to.
    return {h.lower() for h in settings.TINGSU.get("WEBHOOK_ALLOW_HOSTS", ())}


def parse_url(url: str) -> Target:
    """Check the URL's form: http(s), a host, no credentials, no refused literal address."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(_("The URL is not valid.")) from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURL(_("Only http and https URLs are allowed."))
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise UnsafeURL(_("The URL has no host."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL(_("The URL may not carry a user name or password."))
    target = Target(
        scheme=scheme,
        host=host,
        port=port or (443 if scheme == "https" else 80),
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )
    if host in _allowed_hosts():
        return target
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        reason = address_refusal(literal)
        if reason:
            raise UnsafeURL(_("The URL points to %(what)s.") % {"what": reason})
    return target


class ResolveFailed(Exception):
    """The host name did not resolve (may work later)."""


def resolve_target(target: Target) -> str:
    """Resolve the host and return one vetted address to connect to.

    Every address the name resolves to must be public: a name with one public and one
    private address is refused, since we cannot know which one a later lookup returns.
    """
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ResolveFailed(
            _("The host %(host)s could not be resolved.") % {"host": target.host}
        ) from exc
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        addresses.append(ip)
    if not addresses:
        raise ResolveFailed(_("The host %(host)s has no address.") % {"host": target.host})
    if target.host not in _allowed_hosts():
        for ip in addresses:
            reason = address_refusal(ip)
            if reason:
                raise UnsafeURL(
                    _("The host %(host)s resolves to %(what)s (%(ip)s).")
                    % {"host": target.host, "what": reason, "ip": ip}
                )
    return str(addresses[0])


def check_url(url: str) -> tuple[Target, str]:
    """Form and DNS check together: the target and the address to connect to."""
    target = parse_url(url)
    return target, resolve_target(target)
