"""POST to a webhook URL, connected to the vetted address, following redirects by hand.

Uses the standard library's http.client: we need to choose the address we connect to
(and keep the name for the Host header and TLS SNI), which is simplest one level below
urllib/requests.
"""

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin

from django.utils.translation import gettext as _

from tingsu.webhooks.ssrf import Target, check_url

MAX_REDIRECTS = 3
REDIRECT_CODES = (301, 302, 303, 307, 308)
MAX_RESPONSE_BYTES = 64 * 1024


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name, not the address we connected to.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    url: str  # the URL that gave this answer, after redirects
    body: bytes


class TooManyRedirects(Exception):
    pass


class BadRedirect(Exception):
    pass


def _post_once(url: str, body: bytes, headers: dict[str, str], timeout: float):
    target, address = check_url(url)
    cls = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = cls(target, address, timeout)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(MAX_RESPONSE_BYTES)
        return resp.status, resp.getheader("Location"), data
    finally:
        conn.close()


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float = 10.0) -> Response:
    """POST `body`; a redirect is re-checked (scheme, DNS, address) and POSTed again.

    Raises ssrf.UnsafeURL, ssrf.ResolveFailed, OSError (connection, timeout),
    http.client.HTTPException, TooManyRedirects or BadRedirect.
    """
    for _hop in range(MAX_REDIRECTS + 1):
        status, location, data = _post_once(url, body, headers, timeout)
        if status not in REDIRECT_CODES:
            return Response(status=status, url=url, body=data)
        if not location:
            raise BadRedirect(_("A redirect without a Location header."))
        url = urljoin(url, location)
    raise TooManyRedirects(_("More than %(n)d redirects.") % {"n": MAX_REDIRECTS})
