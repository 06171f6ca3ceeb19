# The real SMTP peer (aiosmtpd) fixtures, shared with the channels tests.
from tingsu.channels.tests.conftest import smtp_peer, smtp_settings  # noqa: F401
