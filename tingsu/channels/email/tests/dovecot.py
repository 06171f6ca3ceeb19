"""A real IMAP server for the tests: Debian's dovecot-imapd with a throwaway config.

Listens on 127.0.0.1 on a free port with one test user (plaintext login, no TLS), keeps
its maildirs, sockets and log in a temporary directory, and is stopped afterwards.
"""

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

USER = "complaints"
PASSWORD = "imap-test-password"


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)),
        None,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accounts() -> tuple[str, int, int]:
    """(system user dovecot runs its helpers as, uid, gid for the mail files)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_uid, me.pw_gid
    # Dovecot refuses uid 0 for mail; "nobody" owns the throwaway maildirs.
    nobody = pwd.getpwnam("nobody")
    return "dovecot", nobody.pw_uid, nobody.pw_gid


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service auth {{
  unix_listener auth-userdb {{
    mode = 0666
  }}
}}
"""


@dataclass
class Dovecot:
    host: str
    port: int
    user: str
    password: str
    root: Path
    process: subprocess.Popen

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4(self.host, self.port, timeout=10)
        conn.login(self.user, self.password)
        return conn

    def deliver(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.connect()
        try:
            status, data = conn.append(folder, None, None, raw)
            assert status == "OK", data
        finally:
            conn.logout()

    def unseen(self, folder: str = "INBOX") -> list[bytes]:
        return self._search(folder, "UNSEEN")

    def all(self, folder: str = "INBOX") -> list[bytes]:
        return self._search(folder, "ALL")

    def _search(self, folder: str, criterion: str) -> list[bytes]:
        conn = self.connect()
        try:
            conn.select(folder)
            _, data = conn.uid("SEARCH", None, criterion)
            return data[0].split()
        finally:
            conn.logout()

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_dovecot(binary: str) -> Dovecot:
    root = Path(tempfile.mkdtemp(prefix="tingsu-dovecot-"))
    root.chmod(0o755)
    system_user, uid, gid = _accounts()
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir()
    os.chown(root / "mail", uid, gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    users = ""
    if os.geteuid() != 0:
        users = f"default_internal_user = {system_user}\ndefault_login_user = {system_user}\n"
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, uid=uid, gid=gid, port=port, users=users))
    process = subprocess.Popen(  # noqa: S603 - our own binary and config
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = Dovecot("127.0.0.1", port, USER, PASSWORD, root, process)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            raise RuntimeError(f"dovecot exited: {output}\n{server.log()}")
        try:
            server.connect().logout()
            return server
        except (OSError, imaplib.IMAP4.error):
            time.sleep(0.1)
    stop_dovecot(server)
    raise RuntimeError(f"dovecot did not answer on port {port}:\n{server.log()}")


def stop_dovecot(server: Dovecot) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    if server.process.stdout:
        server.process.stdout.close()
    shutil.rmtree(server.root, ignore_errors=True)
