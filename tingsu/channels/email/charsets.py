"""Turning the bytes of real mail into text: charset aliases, RFC 2047 words, and guesses.

Real mail lies about its charset: "gb2312" mail carries GBK characters, "us-ascii" mail
carries UTF-8, and some charsets are misspelt or made up. Nothing here raises.
"""

import base64
import binascii
import codecs
import quopri
import re

# Declared charset -> the codec that actually decodes such mail. GB2312 and GBK are subsets
# of GB18030; Big5 mail often uses HKSCS characters; Latin-1 mail is usually Windows-1252.
CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "x-euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "big-5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "cp950": "big5hkscs",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "ascii": "ascii",
    "ks_c_5601-1987": "cp949",
    "utf8": "utf-8",
    "unicode-1-1-utf-7": "utf-7",
}

# Charsets that say "plain" and often are not: try UTF-8, then GB18030, when they fail.
WEAK_CHARSETS = {"ascii", "cp1252"}


def codec_for(charset: str | None) -> str | None:
    """The Python text codec for a declared charset, or None if unknown or not a text codec."""
    if not charset:
        return None
    name = str(charset).strip().strip("\"'").lower()
    # RFC 2231 may add a language: "utf-8*zh-cn".
    name = name.split("*", 1)[0]
    name = CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError, TypeError):
        return None
    # base64, zlib, hex, rot13 and friends are codecs too: never let a charset name pick one.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def guess_decode(data: bytes) -> str:
    """Decode bytes of unknown charset: UTF-8, then GB18030, else UTF-8 with replacement."""
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset; never raise."""
    if not data:
        return ""
    if charset is None:
        return guess_decode(data)
    codec = codec_for(charset)
    if codec is None:
        return data.decode("utf-8", errors="replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    except Exception:  # a broken codec (utf-7 on odd input) must not stop the message
        return data.decode("utf-8", errors="replace")
    if codec in WEAK_CHARSETS or codec == "gb18030":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    return data.decode(codec, errors="replace")


def unsurrogate(value: str) -> str:
    """Undo the parser's surrogateescape: raw 8-bit header bytes become decoded text."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    return guess_decode(value.encode("utf-8", errors="surrogateescape"))


ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        text = text.strip()
        text += "=" * (-len(text) % 4)
        try:
            return base64.b64decode(text)
        except (binascii.Error, ValueError):
            return text.encode("ascii", errors="replace")
    return quopri.decodestring(text.replace("_", " ").encode("ascii", errors="replace"))


def decode_header_value(value: str | None) -> str:
    """Decode an RFC 2047 header value (any charset, any mix of encoded and plain text).

    Adjacent encoded words in the same charset are joined before decoding, because mailers
    split multi-byte characters across words; whitespace between encoded words is dropped.
    """
    if not value:
        return ""
    value = unsurrogate(str(value))
    value = re.sub(r"\r?\n[ \t]", " ", value).replace("\r", "").replace("\n", "")
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset or "utf-8"))
        pending, pending_charset = [], None

    for m in ENCODED_WORD.finditer(value):
        between = value[pos : m.start()]
        charset, encoding, text = m.groups()
        charset = charset.split("*", 1)[0].lower()
        if between.strip() or not pending:
            flush()
            out.append(between)
        elif charset != pending_charset:
            flush()
        pending_charset = charset
        pending.append(_word_bytes(encoding, text))
        pos = m.end()
    flush()
    out.append(value[pos:])
    return "".join(out).strip()
