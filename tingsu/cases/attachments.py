"""Attachment checks shared by every intake path: type, size, count and content sniffing."""

from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from tingsu.core.errors import ValidationFailed

# A file whose bytes contradict its extension is refused (an .exe renamed to .jpg).
MAGIC = {
    ".jpg": [b"\xff\xd8\xff"],
    ".jpeg": [b"\xff\xd8\xff"],
    ".png": [b"\x89PNG\r\n\x1a\n"],
    ".gif": [b"GIF87a", b"GIF89a"],
    ".pdf": [b"%PDF-"],
    ".webp": [b"RIFF"],
    ".xlsx": [b"PK\x03\x04"],
    ".docx": [b"PK\x03\x04"],
}


def safe_filename(name: str) -> str:
    base = PurePath(name.replace("\\", "/")).name.strip().replace("\x00", "")
    return base[-150:] or "file"


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
        if ext in MAGIC:
            head = f.read(16)
            f.seek(0)
            if not any(head.startswith(m) for m in MAGIC[ext]):
                errors.append(
                    _("%(name)s does not look like a %(ext)s file.") % {"name": name, "ext": ext}
                )
    if errors:
        raise ValidationFailed(_("Some attachments cannot be accepted."), {field: errors})
