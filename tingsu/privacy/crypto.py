"""Encryption of personal data at rest (AES-256-GCM) and keyed blind indexes (HMAC-SHA256).

Keys never live in the database. They come from settings, read from the environment:
- TINGSU_PII_KEYS: "kid:base64key,kid2:base64key" (32-byte keys); the first encrypts, all decrypt.
- TINGSU_PII_KEY_FILE: the same, one key per line (used when TINGSU_PII_KEYS is empty).
- TINGSU_PII_INDEX_KEYS / TINGSU_PII_INDEX_KEY_FILE: the blind index keys, same format.
When none is set, a development key derived from SECRET_KEY is used (kid "dev"), and the
`privacy.W001` deploy check warns. Ciphertext reads "pii1:<kid>:<base64(nonce|ct|tag)>".
Values without that prefix are legacy plaintext and are returned as they are, so rows
written before encryption keep working until `tingsu keys rotate` encrypts them. Files
(privacy.storage) are sealed the same way, in a binary form (encrypt_bytes).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

PREFIX = "pii1:"
DEV_KID = "dev"
_NONCE = 12


class DecryptionError(Exception):
    """Ciphertext whose key is unknown, or that was altered."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]  # kid -> key, insertion order: current first
    is_dev: bool

    @property
    def current_kid(self) -> str:
        return next(iter(self.keys))

    @property
    def current(self) -> bytes:
        return self.keys[self.current_kid]


def _parse_keys(text: str, name: str) -> dict[str, bytes]:
    keys: dict[str, bytes] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.strip()
        if not item or item.startswith("#"):
            continue
        kid, sep, b64 = item.partition(":")
        if not sep or not kid or ":" in kid:
            raise ImproperlyConfigured(f"{name}: each key is 'kid:base64', got {item[:8]!r}...")
        try:
            key = base64.b64decode(b64.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ImproperlyConfigured(f"{name}: key {kid!r} is not valid base64") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"{name}: key {kid!r} must be 32 bytes, is {len(key)}")
        if kid in keys:
            raise ImproperlyConfigured(f"{name}: key id {kid!r} appears twice")
        keys[kid] = key
    return keys


def _configured(setting: str, file_setting: str) -> dict[str, bytes]:
    text = getattr(settings, setting, "") or ""
    if not text.strip():
        path = getattr(settings, file_setting, "") or ""
        if path:
            text = Path(path).read_text(encoding="utf-8")
    return _parse_keys(text, setting)


def _dev_key(label: str) -> bytes:
    # Local and test runs only: derived from SECRET_KEY so restarts keep reading the data.
    return hashlib.sha256(f"tingsu-dev-{label}:{settings.SECRET_KEY}".encode()).digest()


@lru_cache(maxsize=1)
def data_keyring() -> Keyring:
    keys = _configured("TINGSU_PII_KEYS", "TINGSU_PII_KEY_FILE")
    if keys:
        return Keyring(keys, is_dev=False)
    return Keyring({DEV_KID: _dev_key("pii-data")}, is_dev=True)


@lru_cache(maxsize=1)
def index_keyring() -> Keyring:
    keys = _configured("TINGSU_PII_INDEX_KEYS", "TINGSU_PII_INDEX_KEY_FILE")
    if keys:
        return Keyring(keys, is_dev=False)
    return Keyring({DEV_KID: _dev_key("pii-index")}, is_dev=True)


def reset_keyrings() -> None:
    data_keyring.cache_clear()
    index_keyring.cache_clear()


@receiver(setting_changed)
def _on_setting_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("TINGSU_PII_") or setting == "SECRET_KEY":
        reset_keyrings()


def generate_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def is_encrypted(value: str | None) -> bool:
    return bool(value) and value.startswith(PREFIX)


def key_id_of(value: str) -> str | None:
    if not is_encrypted(value):
        return None
    return value[len(PREFIX) :].partition(":")[0]


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt with the current key. `context` (e.g. "customer.phone") is bound as associated
    data, so a ciphertext copied into another column does not decrypt there. "" stays ""."""
    if not plaintext:
        return ""
    ring = data_keyring()
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(ring.current).encrypt(nonce, plaintext.encode(), context.encode())
    return f"{PREFIX}{ring.current_kid}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(value: str | None, *, context: str) -> str:
    if not value:
        return ""
    if not is_encrypted(value):
        return value  # legacy plaintext, see the module docstring
    kid, _, b64 = value[len(PREFIX) :].partition(":")
    key = data_keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"no key with id {kid!r} (TINGSU_PII_KEYS)")
    try:
        raw = base64.b64decode(b64)
        return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], context.encode()).decode()
    except Exception as exc:  # InvalidTag, bad base64, short input
        raise DecryptionError(f"cannot decrypt a {context} value with key {kid!r}") from exc


# Files (attachments, raw inbound messages): MAGIC, one byte of key id length, the key id,
# then nonce | ciphertext | tag. Bytes without MAGIC are legacy plaintext.
FILE_MAGIC = b"TSE1"


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Encrypt a file's content with the current key; `context` (the stored name) is bound
    as associated data, so a file copied under another name does not decrypt there."""
    ring = data_keyring()
    kid = ring.current_kid.encode()
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(ring.current).encrypt(nonce, data, context.encode())
    return FILE_MAGIC + bytes([len(kid)]) + kid + nonce + sealed


def file_key_id(blob: bytes) -> str | None:
    """The key id in an encrypted file's header; None for a plaintext (legacy) file."""
    if not blob.startswith(FILE_MAGIC) or len(blob) <= len(FILE_MAGIC):
        return None
    size = blob[len(FILE_MAGIC)]
    return blob[len(FILE_MAGIC) + 1 : len(FILE_MAGIC) + 1 + size].decode(errors="replace")


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    kid = file_key_id(blob)
    if kid is None:
        return blob  # stored before files were encrypted
    key = data_keyring().keys.get(kid)
    if key is None:
        raise DecryptionError(f"no key with id {kid!r} (TINGSU_PII_KEYS)")
    start = len(FILE_MAGIC) + 1 + len(kid.encode())
    try:
        nonce, sealed = blob[start : start + _NONCE], blob[start + _NONCE :]
        return AESGCM(key).decrypt(nonce, sealed, context.encode())
    except Exception as exc:  # InvalidTag, short input
        raise DecryptionError(f"cannot decrypt the file {context} with key {kid!r}") from exc


def needs_reencryption(value: str | None) -> bool:
    """A non-empty value that is plaintext or under another key than the current one."""
    return bool(value) and key_id_of(value) != data_keyring().current_kid


def _index(kid: str, key: bytes, canonical: str, kind: str) -> str:
    mac = hmac.new(key, f"{kind}:{canonical}".encode(), hashlib.sha256).hexdigest()
    return f"{kid}:{mac}"


def blind_index(canonical: str, *, kind: str) -> str:
    """The blind index of an already canonical value under the current index key."""
    if not canonical:
        return ""
    ring = index_keyring()
    return _index(ring.current_kid, ring.current, canonical, kind)


def blind_index_candidates(canonical: str, *, kind: str) -> list[str]:
    """Its index under every configured index key: lookups match rows not yet re-indexed."""
    if not canonical:
        return []
    return [_index(kid, key, canonical, kind) for kid, key in index_keyring().keys.items()]
