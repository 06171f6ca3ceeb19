import base64

import pytest

from tingsu.channels.wechat import crypto
from tingsu.channels.wechat.tests.wechat_server import (
    AES_KEY,
    APP_ID,
    wechat_decrypt,
    wechat_encrypt,
    wechat_sign,
)

XML = "<xml><Content><![CDATA[快递三天没到]]></Content></xml>".encode()


def test_the_signature_is_sha1_of_the_sorted_parts():
    # Worked by hand: sorted("1409304348", "pamtest", "xxxxxx") joined, then sha1.
    import hashlib

    expected = hashlib.sha1(b"1409304348pamtestxxxxxx").hexdigest()
    assert crypto.sign("pamtest", "1409304348", "xxxxxx") == expected


def test_it_accepts_the_signature_wechat_computes():
    signature = wechat_sign("tok", "1700000000", "n0nce")
    assert crypto.check_signature(signature, "tok", "1700000000", "n0nce")
    assert crypto.check_signature(signature.upper(), "tok", "1700000000", "n0nce")


def test_it_rejects_a_wrong_or_empty_signature():
    assert not crypto.check_signature("0" * 40, "tok", "1700000000", "n0nce")
    assert not crypto.check_signature("", "tok", "1700000000", "n0nce")


def test_it_decrypts_what_wechat_encrypts():
    assert crypto.decrypt(wechat_encrypt(XML), encoding_aes_key=AES_KEY, app_id=APP_ID) == XML


def test_wechat_decrypts_what_it_encrypts():
    encrypted = crypto.encrypt(XML, encoding_aes_key=AES_KEY, app_id=APP_ID)
    assert wechat_decrypt(encrypted) == XML


def test_it_pads_to_32_byte_blocks_with_pkcs7():
    random = b"r" * 16
    for size in range(0, 70):
        xml = b"x" * size
        raw = base64.b64decode(
            crypto.encrypt(xml, encoding_aes_key=AES_KEY, app_id=APP_ID, random=random)
        )
        assert len(raw) % 32 == 0
        assert len(raw) - (16 + 4 + size + len(APP_ID)) in range(1, 33)


def test_it_uses_the_key_from_the_encoding_aes_key_and_its_first_16_bytes_as_iv():
    key = crypto.aes_key(AES_KEY)
    assert key == base64.b64decode(AES_KEY + "=")
    assert len(key) == 32


def test_it_rejects_a_message_encrypted_for_another_appid():
    with pytest.raises(crypto.CryptoError, match="another appid"):
        crypto.decrypt(
            wechat_encrypt(XML, app_id="wx0000000000000000"),
            encoding_aes_key=AES_KEY,
            app_id=APP_ID,
        )


def test_it_rejects_ciphertext_from_another_key():
    other_key = "A" * 43
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(
            wechat_encrypt(XML, aes_key=other_key), encoding_aes_key=AES_KEY, app_id=APP_ID
        )


@pytest.mark.parametrize("garbage", ["", "not base64!!", base64.b64encode(b"short").decode()])
def test_it_rejects_garbage_ciphertext(garbage):
    with pytest.raises(crypto.CryptoError):
        crypto.decrypt(garbage, encoding_aes_key=AES_KEY, app_id=APP_ID)


@pytest.mark.parametrize("key", ["", "short", "*" * 43])
def test_it_rejects_a_malformed_encoding_aes_key(key):
    with pytest.raises(crypto.CryptoError):
        crypto.aes_key(key)
