import time

from tingsu.webhooks.signing import sign, verify_signature

SECRET = "whsec_test"
BODY = b'{"event":"case.created","id":"1"}'


def test_it_accepts_its_own_signature():
    ts = str(int(time.time()))
    assert verify_signature(SECRET, ts, BODY, sign(SECRET, ts, BODY))


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_test", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1700000000", BODY) == "sha256=" + expected


def test_it_rejects_a_changed_body_a_wrong_secret_or_a_changed_timestamp():
    ts = str(int(time.time()))
    header = sign(SECRET, ts, BODY)
    assert not verify_signature(SECRET, ts, BODY + b" ", header)
    assert not verify_signature("whsec_other", ts, BODY, header)
    assert not verify_signature(SECRET, str(int(ts) - 1), BODY, header)
    assert not verify_signature(SECRET, ts, BODY, "")
    assert not verify_signature(SECRET, "not-a-number", BODY, header)


def test_it_rejects_a_replay_older_than_the_tolerance():
    old = str(int(time.time()) - 301)
    assert not verify_signature(SECRET, old, BODY, sign(SECRET, old, BODY))
    assert verify_signature(SECRET, old, BODY, sign(SECRET, old, BODY), tolerance=600)


def test_the_readme_snippet_verifies_our_signatures():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme.split("### Outbound webhooks", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(snippet, namespace)
    ts = str(int(time.time()))
    assert namespace["verify_signature"](SECRET, ts, BODY, sign(SECRET, ts, BODY))
    assert not namespace["verify_signature"](SECRET, ts, BODY + b"x", sign(SECRET, ts, BODY))
