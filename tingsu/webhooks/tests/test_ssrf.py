import socket

import pytest

from tingsu.webhooks.ssrf import UnsafeURL, check_url, parse_url

REFUSED = [
    "http://127.0.0.1/hook",
    "http://127.1.2.3:8080/hook",
    "http://10.0.0.5/hook",
    "http://172.16.3.4/hook",
    "http://172.31.255.255/hook",
    "http://192.168.1.10/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://169.254.10.1/",
    "http://100.64.0.1/",
    "http://100.100.100.200/latest/meta-data/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[::ffff:10.0.0.1]/hook",
    "http://[64:ff9b::7f00:1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00:ec2::254]/",
    "http://[fc00::1]/",
    "http://[ff02::1]/",
    "http://localhost/hook",
    "http://localhost./hook",
    "http://2130706433/hook",
    "http://0x7f000001/hook",
    "http://0177.0.0.1/hook",
    "http://127.1/hook",
]


@pytest.mark.parametrize("url", REFUSED)
def test_it_refuses_an_address_inside_our_network(url):
    with pytest.raises(UnsafeURL):
        check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://example.com:70/_GET",
        "ftp://example.com/",
        "javascript:alert(1)",
        "//example.com/hook",
        "http:///hook",
        "http://user:pass@example.com/hook",
        "http://example.com:99999/",
        "",
    ],
)
def test_it_refuses_other_schemes_and_malformed_urls(url):
    with pytest.raises(UnsafeURL):
        parse_url(url)


def test_it_refuses_a_name_when_any_of_its_addresses_is_private(monkeypatch):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port)),
        ]

    # The outside world (DNS) is faked; our own check runs for real.
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(UnsafeURL, match="10.1.2.3"):
        check_url("https://hooks.example.com/tingsu")


def test_it_accepts_a_public_address_and_pins_it():
    target, address = check_url("https://93.184.215.14:8443/in?x=1")
    assert address == "93.184.215.14"
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "93.184.215.14",
        8443,
        "/in?x=1",
    )


def test_the_allow_list_is_empty_by_default_and_matches_the_host_as_written(settings):
    with pytest.raises(UnsafeURL):
        check_url("http://127.0.0.1:9/")
    settings.TINGSU = {**settings.TINGSU, "WEBHOOK_ALLOW_HOSTS": ["127.0.0.1"]}
    assert check_url("http://127.0.0.1:9/")[1] == "127.0.0.1"
    # Another spelling of the same address is not on the list.
    for url in ("http://localhost:9/", "http://2130706433:9/", "http://[::ffff:127.0.0.1]:9/"):
        with pytest.raises(UnsafeURL):
            check_url(url)
