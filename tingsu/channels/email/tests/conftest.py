import os

import pytest

from tingsu.channels.email.tests.dovecot import dovecot_binary, start_dovecot, stop_dovecot


@pytest.fixture
def dovecot():
    """A real dovecot IMAP server on 127.0.0.1, stopped after the test."""
    binary = dovecot_binary()
    if binary is None:
        message = "dovecot is not installed (Debian package dovecot-imapd, see .ci/run)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = start_dovecot(binary)
    yield server
    stop_dovecot(server)
