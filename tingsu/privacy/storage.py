"""File storage that keeps attachments and raw inbound messages encrypted at rest
(AES-256-GCM under the personal-data keys, privacy.crypto.encrypt_bytes), on the local disk
or on S3-compatible object storage. The stored name is bound to the content, so a file
moved or copied under another name does not decrypt. Files stored before encryption are
read as they are.

Reads go through Django (attachments.attachment_response), never a direct or pre-signed
URL, so the browser always gets the plaintext and the bucket only ever holds ciphertext.
A file is read into memory to be decrypted: attachments are capped (MAX_ATTACHMENT_BYTES).
"""

import os
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from tingsu.privacy import crypto


class EncryptedStorageMixin:
    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        sealed = crypto.encrypt_bytes(content.read(), context=_context(name))
        return super()._save(name, ContentFile(sealed))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode or "+" in mode:
            raise ValueError("Encrypted files are written through save(), not opened for writing.")
        blob = self._sealed(name)
        return ContentFile(crypto.decrypt_bytes(blob, context=_context(name)), name=name)

    def _sealed(self, name, size: int = -1) -> bytes:
        """The stored bytes of `name` (the first `size` of them), as they are on disk or in
        the bucket."""
        with super()._open(name, "rb") as stored:
            return stored.read(size)

    def sealed_key_id(self, name) -> str | None:
        """The key id a stored file is sealed under, from its header alone; None for a file
        stored before encryption. Raises FileNotFoundError."""
        return crypto.file_key_id(self._sealed(name, len(crypto.FILE_MAGIC) + 256))

    def reseal(self, name) -> bool:
        """Re-encrypt a stored file under the current key (key rotation), in place. False
        if it already was. Raises FileNotFoundError, crypto.DecryptionError."""
        blob = self._sealed(name)
        if crypto.file_key_id(blob) == crypto.data_keyring().current_kid:
            return False
        context = _context(name)
        plain = crypto.decrypt_bytes(blob, context=context)
        self._replace(name, crypto.encrypt_bytes(plain, context=context))
        return True

    def _replace(self, name, data: bytes) -> None:
        """Write `data` over the stored file `name` at once (the object store's PUT)."""
        super()._save(name, ContentFile(data))

    def size(self, name):
        """The plaintext size (the stored file holds a header and a tag besides)."""
        with self._open(name) as f:
            return f.size


def _context(name: str) -> str:
    return "file:" + str(name).replace("\\", "/")


class EncryptedFileSystemStorage(EncryptedStorageMixin, FileSystemStorage):
    def _replace(self, name, data: bytes) -> None:
        # FileSystemStorage._save never overwrites: a sibling file, then an atomic rename.
        path = Path(self.path(name))
        spare = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        spare.write_bytes(data)
        os.replace(spare, path)
