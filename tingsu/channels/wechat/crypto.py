"""WeChat's callback signatures and its AES "safe mode" message encryption.

Exactly as the 公众号 docs (接入指南, 消息加解密说明) and the official WXBizMsgCrypt sample:
- signature = sha1(sorted(token, timestamp, nonce) joined), sent on every callback;
- msg_signature = sha1(sorted(token, timestamp, nonce, Encrypt) joined), in safe mode;
- AES-256-CBC, key = base64decode(EncodingAESKey + "="), iv = key[:16], PKCS#7 padding to
  32-byte blocks; plaintext = 16 random bytes + 4-byte network-order length + xml + appid.
"""

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK_SIZE = 32


class CryptoError(Exception):
    """A signature, key or ciphertext WeChat could not have produced for this account."""


def sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's


def check_signature(expected: str, *parts: str) -> bool:
    return bool(expected) and hmac.compare_digest(sign(*parts), expected.strip().lower())


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("EncodingAESKey is not base64") from exc
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must decode to 32 bytes")
    return key


def _pad(data: bytes) -> bytes:
    amount = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    amount = data[-1] if data else 0
    if not 1 <= amount <= BLOCK_SIZE or data[-amount:] != bytes([amount]) * amount:
        raise CryptoError("bad padding")
    return data[:-amount]


def encrypt(xml: bytes, *, encoding_aes_key: str, app_id: str, random: bytes | None = None) -> str:
    key = aes_key(encoding_aes_key)
    random = random if random is not None else os.urandom(16)
    plain = _pad(random + struct.pack("!I", len(xml)) + xml + app_id.encode())
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def decrypt(ciphertext: str, *, encoding_aes_key: str, app_id: str) -> bytes:
    """The XML inside `ciphertext`; CryptoError unless it was encrypted for `app_id`."""
    key = aes_key(encoding_aes_key)
    try:
        raw = base64.b64decode(ciphertext, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("ciphertext is not base64") from exc
    if not raw or len(raw) % 16:
        raise CryptoError("ciphertext length is not a multiple of the AES block")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = _unpad(decryptor.update(raw) + decryptor.finalize())
    if len(plain) < 20:
        raise CryptoError("plaintext too short")
    (length,) = struct.unpack("!I", plain[16:20])
    xml, from_app_id = plain[20 : 20 + length], plain[20 + length :]
    if len(xml) != length:
        raise CryptoError("length field exceeds the plaintext")
    if not hmac.compare_digest(from_app_id, app_id.encode()):
        raise CryptoError("message was encrypted for another appid")
    return xml
