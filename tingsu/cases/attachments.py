"""Attachment checks shared by every intake path (type from content, size, count), the
random storage name, and the one safe way to serve a stored file.

A file's type is decided by its bytes and our allow-list, never by what the uploader
claimed: an HTML page renamed .pdf, an SVG with an onload script or an .exe renamed .jpg is
refused at intake, and a download is only ever shown inline when it is a plain image,
with `nosniff` and a sandboxing CSP. PDF is a download; everything else leaves as
`application/octet-stream` with `Content-Disposition: attachment`.
"""

import re
import secrets
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from tingsu.core.errors import ValidationFailed


def _ftyp(head: bytes) -> bool:
    return head[4:8] == b"ftyp"


def _riff_webp(head: bytes) -> bool:
    return head.startswith(b"RIFF") and head[8:12] == b"WEBP"


def _mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] >> 5 == 7)


# A file whose bytes contradict its extension is refused (an .exe renamed to .jpg).
MAGIC = {
    ".jpg": lambda h: h.startswith(b"\xff\xd8\xff"),
    ".jpeg": lambda h: h.startswith(b"\xff\xd8\xff"),
    ".png": lambda h: h.startswith(b"\x89PNG\r\n\x1a\n"),
    ".gif": lambda h: h.startswith((b"GIF87a", b"GIF89a")),
    ".pdf": lambda h: h.startswith(b"%PDF-"),
    ".webp": _riff_webp,
    ".xlsx": lambda h: h.startswith(b"PK\x03\x04"),
    ".docx": lambda h: h.startswith(b"PK\x03\x04"),
    ".mp3": _mp3,
    ".m4a": _ftyp,
    ".mp4": _ftyp,
}
# Markup a browser would run, whatever the file is called (checked in text files).
ACTIVE_CONTENT = re.compile(
    rb"^\s*(<!doctype\s+html|<html|<svg|<\?xml|<script|<head|<body|<iframe)", re.IGNORECASE
)
# Served with their own type: plain raster images (inline) and PDF (as a download).
# Anything else is a download of bytes.
INLINE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}
SAFE_TYPES = INLINE_TYPES | {"application/pdf"}
SNIFF_BYTES = 512


def safe_filename(name: str) -> str:
    """The name to show: no path, no control characters, at most 150 characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-150:] or "file"


def storage_name(filename: str) -> str:
    """A random name on disk; only the (allow-listed) extension comes from the upload."""
    ext = PurePath(filename).suffix.lower()
    if ext not in settings.TINGSU["ALLOWED_ATTACHMENT_TYPES"]:
        ext = ".bin"
    return secrets.token_hex(16) + ext


def content_type_for(filename: str) -> str:
    """The type we record for a file, from our allow-list by its (checked) extension."""
    ext = PurePath(filename).suffix.lower()
    return settings.TINGSU["ALLOWED_ATTACHMENT_TYPES"].get(ext, "application/octet-stream")


def _content_error(name: str, ext: str, head: bytes) -> str:
    check = MAGIC.get(ext)
    if check is not None and not check(head):
        return _("%(name)s does not look like a %(ext)s file.") % {"name": name, "ext": ext}
    if ACTIVE_CONTENT.match(head) or head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
        return _("%(name)s contains a web page, script or program, which cannot be attached.") % {
            "name": name
        }
    return ""


def validate_attachments(files: list[UploadedFile], *, field: str = "attachments") -> None:
    conf = settings.TINGSU
    errors: list[str] = []
    if len(files) > conf["MAX_ATTACHMENTS"]:
        errors.append(_("At most %(n)d files can be attached.") % {"n": conf["MAX_ATTACHMENTS"]})
    for f in files:
        name = safe_filename(f.name or "")
        ext = PurePath(name).suffix.lower()
        if ext not in conf["ALLOWED_ATTACHMENT_TYPES"]:
            allowed = ", ".join(sorted(conf["ALLOWED_ATTACHMENT_TYPES"]))
            errors.append(
                _("%(name)s: this file type is not allowed. Allowed: %(allowed)s.")
                % {"name": name, "allowed": allowed}
            )
            continue
        if f.size > conf["MAX_ATTACHMENT_BYTES"]:
            errors.append(
                _("%(name)s is larger than %(mb)d MB.")
                % {"name": name, "mb": conf["MAX_ATTACHMENT_BYTES"] // (1024 * 1024)}
            )
            continue
        if f.size == 0:
            errors.append(_("%(name)s is empty.") % {"name": name})
            continue
        head = f.read(SNIFF_BYTES)
        f.seek(0)
        problem = _content_error(name, ext, head)
        if problem:
            errors.append(problem)
    if errors:
        raise ValidationFailed(_("Some attachments cannot be accepted."), {field: errors})


def attachment_response(attachment, *, inline_allowed: bool) -> FileResponse:
    """Serve a stored attachment so a browser can never run it.

    The type comes from the allow-list by extension (checked against the bytes at intake);
    only plain images may be shown inline, PDF is a download, everything else an
    octet-stream download. `nosniff` stops the browser guessing, and the sandbox CSP keeps even a
    mislabelled file from running script or reaching our origin. Raises FileNotFoundError.
    """
    content_type = content_type_for(attachment.filename)
    if content_type not in SAFE_TYPES:
        content_type = "application/octet-stream"
    inline = inline_allowed and content_type in INLINE_TYPES
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
