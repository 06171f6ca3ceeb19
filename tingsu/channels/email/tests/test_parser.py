"""parse_email on messages written here byte for byte, as real mailers write them."""

import base64
import quopri

from tingsu.channels.email.charsets import decode_header_value
from tingsu.channels.email.parser import parse_email
from tingsu.channels.email.quotes import strip_quoted_reply


def b64(text: str, charset: str) -> bytes:
    return base64.encodebytes(text.encode(charset))


def word(text: str, charset: str) -> str:
    return f"=?{charset}?B?{base64.b64encode(text.encode(charset)).decode()}?="


def plain_message(body: bytes, *, charset: str, cte: str = "8bit", subject: str = "Hi") -> bytes:
    return (
        b"From: =?utf-8?B?5byg5LiJ?= <zhang@example.com>\r\n"
        b"To: complaints@tingsu.example\r\n"
        b"Subject: " + subject.encode() + b"\r\n"
        b"Message-ID: <m1@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: " + cte.encode() + b"\r\n\r\n" + body
    )


COMPLAINT = "快递三天没到，客服电话打不通，要求退款。"
TRADITIONAL = "包裹延誤三天，客服電話打不通，要求退款。"


def test_it_reads_the_sender_and_threading_headers():
    raw = (
        b"From: =?utf-8?B?5byg5LiJ?= <Zhang@Example.com>\r\n"
        b"To: a@tingsu.example, b@tingsu.example\r\n"
        b"Subject: Re: [TS20261123000123] late parcel\r\n"
        b"Message-ID: <reply-1@mail.example.com>\r\n"
        b"In-Reply-To: <abc@tingsu.example>\r\n"
        b"References: <first@mail.example.com>\r\n <abc@tingsu.example>\r\n"
        b"\r\nStill waiting.\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.from_name == "张三"
    assert parsed.from_address == "Zhang@Example.com"
    assert parsed.to == ["a@tingsu.example", "b@tingsu.example"]
    assert parsed.message_id == "<reply-1@mail.example.com>"
    assert parsed.in_reply_to == "<abc@tingsu.example>"
    assert parsed.references == ["<first@mail.example.com>", "<abc@tingsu.example>"]
    assert parsed.text == "Still waiting."
    assert parsed.rejection == ""


def test_it_decodes_gbk_bodies():
    parsed = parse_email(plain_message(COMPLAINT.encode("gbk"), charset="gbk"))
    assert parsed.text == COMPLAINT


def test_it_decodes_gb2312_as_gb18030_because_real_mail_puts_gbk_characters_in_it():
    # 镕 and 喆 are GBK, not GB2312: a strict gb2312 decoder would fail on them.
    text = "朱镕基 陶喆 " + COMPLAINT
    parsed = parse_email(plain_message(text.encode("gbk"), charset="gb2312"))
    assert parsed.text == text


def test_it_decodes_gb18030_four_byte_characters():
    text = COMPLAINT + " 𠀀"  # outside the BMP: four bytes in GB18030
    parsed = parse_email(plain_message(b64(text, "gb18030"), charset="GB18030", cte="base64"))
    assert parsed.text == text


def test_it_decodes_big5_as_big5hkscs():
    text = TRADITIONAL + " 㗎"  # 㗎 is a Hong Kong (HKSCS) character, not plain Big5
    parsed = parse_email(plain_message(text.encode("big5hkscs"), charset='"big5"'))
    assert parsed.text == text


def test_it_decodes_utf8_base64():
    parsed = parse_email(plain_message(b64(COMPLAINT, "utf-8"), charset="utf-8", cte="base64"))
    assert parsed.text == COMPLAINT


def test_it_decodes_utf8_quoted_printable():
    body = quopri.encodestring(("Résumé: " + COMPLAINT).encode("utf-8"))
    parsed = parse_email(plain_message(body, charset="UTF-8", cte="quoted-printable"))
    assert parsed.text == "Résumé: " + COMPLAINT


def test_it_decodes_rfc2047_subjects_in_any_charset():
    subject = " ".join(
        [
            word("投诉：", "gbk"),
            word("快递延误", "gb2312"),
            word("延誤", "big5"),
            word("é", "utf-8"),
        ]
    )
    parsed = parse_email(plain_message(b"x", charset="utf-8", subject=subject))
    assert parsed.subject == "投诉：快递延误延誤é"


def test_it_joins_a_multibyte_character_split_across_encoded_words():
    raw = "投诉".encode("gbk")  # 4 bytes: split after the third
    first = base64.b64encode(raw[:3]).decode()
    second = base64.b64encode(raw[3:]).decode()
    assert decode_header_value(f"=?gbk?B?{first}?=\r\n =?gbk?B?{second}?=") == "投诉"


def test_it_decodes_q_encoded_and_mixed_plain_words():
    value = "Re: =?utf-8?Q?caf=C3=A9_au_lait?= and more"
    assert decode_header_value(value) == "Re: café au lait and more"


def test_it_decodes_raw_8bit_utf8_and_gbk_headers():
    for charset in ("utf-8", "gbk"):
        raw = b"Subject: " + "投诉快递".encode(charset) + b"\r\nFrom: a@example.com\r\n\r\nbody"
        assert parse_email(raw).subject == "投诉快递"


def test_it_falls_back_to_utf8_with_replacement_for_unknown_and_invalid_charsets():
    for charset in ("x-unknown-charset", "utf-99", "base64", "zlib_codec", '"bogus"'):
        parsed = parse_email(plain_message("ok 好的 ".encode() + b"\xff", charset=charset))
        assert parsed.text.startswith("ok ")
        assert "\ufffd" in parsed.text
    subject = "=?x-unknown?B?" + base64.b64encode("好".encode()).decode() + "?="
    parsed = parse_email(plain_message(b"x", charset="utf-8", subject=subject))
    assert parsed.subject == "好"


def test_it_reads_utf8_in_a_message_that_claims_us_ascii():
    parsed = parse_email(plain_message(COMPLAINT.encode("utf-8"), charset="us-ascii"))
    assert parsed.text == COMPLAINT


def alternative(plain: str | None, html: str) -> bytes:
    parts = b""
    if plain is not None:
        parts += (
            b"--ALT\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(plain, "utf-8") + b"\r\n"
        )
    parts += b"--ALT\r\nContent-Type: text/html; charset=gbk\r\n\r\n" + html.encode("gbk") + b"\r\n"
    return (
        b"From: li@example.com\r\nSubject: alt\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="ALT"\r\n\r\n' + parts + b"--ALT--\r\n"
    )


def test_it_prefers_text_plain_in_multipart_alternative():
    parsed = parse_email(alternative("纯文本版本", "<p>网页版本</p>"))
    assert parsed.text == "纯文本版本"
    assert "网页版本" in parsed.html


def test_it_takes_the_text_of_sanitised_html_when_there_is_no_text_part():
    html = (
        "<html><head><style>p{color:red}</style><script>alert('x')</script></head><body>"
        "<p>第一段&amp;</p><div>第二段<br>第三行</div>"
        '<a href="javascript:alert(1)" onclick="steal()">link</a>'
        '<img src="https://tracker.example/pixel.gif" onerror="x()">'
        "<iframe src='https://evil.example'></iframe></body></html>"
    )
    parsed = parse_email(alternative(None, html))
    assert parsed.text == "第一段&\n第二段\n第三行\nlink"
    for bad in ("<script", "alert(", "onclick", "javascript:", "<img", "<iframe", "<style"):
        assert bad not in parsed.html
    assert "<p>第一段&amp;</p>" in parsed.html
    assert 'rel="noopener noreferrer nofollow"' in parsed.html


def test_it_keeps_inline_images_and_attachments_with_decoded_names():
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 20
    pdf = b"%PDF-1.4 test"
    name = word("发票.pdf", "gbk")
    raw = (
        b"From: li@example.com\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="MIX"\r\n\r\n'
        b'--MIX\r\nContent-Type: multipart/related; boundary="REL"\r\n\r\n'
        b"--REL\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        + '<p>见图 <img src="cid:img1"></p>'.encode()
        + b"\r\n--REL\r\nContent-Type: image/png\r\nContent-ID: <img1>\r\n"
        b'Content-Disposition: inline; filename="shot.png"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(png) + b"--REL--\r\n"
        b'--MIX\r\nContent-Type: application/pdf; name="' + name.encode() + b'"\r\n'
        b'Content-Disposition: attachment; filename="' + name.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(pdf) + b"--MIX\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=gbk''%C7%EB%B2%E9%CA%D5.txt\r\n\r\n"
        b"hello\r\n--MIX--\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.text == "见图"
    assert [(a.filename, a.content_type, a.inline) for a in parsed.attachments] == [
        ("shot.png", "image/png", True),
        ("发票.pdf", "application/pdf", False),
        ("请查收.txt", "application/octet-stream", False),
    ]
    assert parsed.attachments[0].content == png
    assert parsed.attachments[1].content == pdf


def test_it_strips_the_quoted_reply_in_english():
    text = (
        "The replacement is broken too.\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Tingsu Support <support@tingsu.example>\n"
        "wrote:\n> We are sorry.\n> Regards"
    )
    assert strip_quoted_reply(text) == "The replacement is broken too."
    outlook = (
        "Please call me.\r\n\r\n________________________________\r\n"
        "From: Support <support@tingsu.example>\r\nSent: Monday, 23 November 2026 10:00\r\n"
        "To: Li Lei\r\nSubject: RE: complaint\r\n\r\nWe are sorry."
    )
    assert strip_quoted_reply(outlook) == "Please call me."
    old = "Yes.\n-----Original Message-----\nFrom: x\nold text"
    assert strip_quoted_reply(old) == "Yes."
    inline = "> you said\nI disagree\n> more\nfine"
    assert strip_quoted_reply(inline) == "I disagree\nfine"


def test_it_strips_the_quoted_reply_in_chinese():
    gmail = (
        "还是没有收到。\n\n在 2026年11月23日 周一 10:00，听诉客服 <s@tingsu.example> 写道：\n> 您好"
    )
    assert strip_quoted_reply(gmail) == "还是没有收到。"
    qq = "请尽快处理\n\n------------------ 原始邮件 ------------------\n发件人: 客服\n旧内容"
    assert strip_quoted_reply(qq) == "请尽快处理"
    foxmail = "好的，谢谢\n\n发件人：听诉客服\n发送时间：2026-11-23 10:00\n收件人：张三\n主题：回复"
    assert strip_quoted_reply(foxmail) == "好的，谢谢"
    netease = "已补充照片\n-----原始邮件-----\n旧内容"
    assert strip_quoted_reply(netease) == "已补充照片"


def test_it_strips_the_quote_in_a_parsed_message_and_keeps_the_full_text():
    body = "新的问题\r\n\r\n在 2026年11月23日，客服 写道：\r\n> 旧的回复\r\n".encode()
    parsed = parse_email(plain_message(body, charset="utf-8"))
    assert parsed.text == "新的问题"
    assert "旧的回复" in parsed.full_text


def test_it_keeps_a_message_that_is_all_quote_whole_rather_than_empty():
    assert strip_quoted_reply("> only a quote") == "> only a quote"


def test_it_never_raises_on_garbage():
    for raw in (
        b"",
        b"\xff\xfe\x00garbage",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--",
        b"Subject: =?utf-8?B?not base64!!?=\r\nFrom: <<<>>>\r\n\r\n",
        b"Content-Type: text/plain; charset=\xff\xfe\r\n\r\n\xe4\xb8\xad",
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64",
        b"Content-Type: text/plain; charset*=x\x00y''abc\r\n\r\nbody",
    ):
        assert parse_email(raw).rejection == ""


def test_it_falls_back_to_compat32_when_the_default_policy_cannot_read_a_message():
    parsed = parse_email(b"Content-Type: text/plain; charset*=x\x00y''abc\r\n\r\nbody")
    assert parsed.policy == "compat32"
    assert parsed.text == "body"
