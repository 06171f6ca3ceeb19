"""Model fields for personal data: encrypted text and its keyed blind index."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact, IsNull

from tingsu.privacy import crypto


class _EmptyOnlyExact(Exact):
    """`field=""` still works (blank checks); any other equality would compare ciphertext."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted: look it up by its blind index "
                "(tingsu.privacy.selectors / customers.selectors), not by value."
            )
        return ""


class EncryptedTextField(models.TextField):
    """Text stored encrypted (AES-GCM, see privacy.crypto); reads give the plaintext back.

    Only `isnull` and `=""` lookups are allowed: ciphertext cannot be searched.
    """

    def __init__(self, *args, context: str = "", **kwargs):
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["context"] = self.context
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return crypto.decrypt(value, context=self.context)

    def to_python(self, value):
        if isinstance(value, str) and crypto.is_encrypted(value):
            return crypto.decrypt(value, context=self.context)
        return super().to_python(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or crypto.is_encrypted(value):
            return value
        return crypto.encrypt(value, context=self.context)

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.name} is encrypted and cannot be filtered with __{lookup_name}; "
            "use its blind index."
        )


class BlindIndexField(models.CharField):
    """HMAC of another field's canonical value, kept in step on save and bulk insert.

    QuerySet.update() does not call pre_save: the model's queryset must fill it (see
    customers.models.CustomerQuerySet.update).
    """

    def __init__(self, *args, source: str = "", kind: str = "", **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        for key in ("max_length", "blank", "db_index", "editable"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def compute(self, value: str | None) -> str:
        from tingsu.privacy.identity import INDEXERS

        return INDEXERS[self.kind](value or "")

    def pre_save(self, model_instance, add):
        value = self.compute(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
