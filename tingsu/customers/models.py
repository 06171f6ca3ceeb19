from django.db import models
from django.utils.translation import gettext_lazy as _

from tingsu.core.models import TimeStampedModel
from tingsu.privacy.fields import BlindIndexField, EncryptedTextField


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    VIP = "vip", _("VIP")


# Encrypted contact fields and the blind index kept for each (README "Personal data").
INDEXED_FIELDS = {"phone": "phone_index", "email": "email_index"}
ENCRYPTED_FIELDS = ("phone", "email", "id_number", "bank_card")


class CustomerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # update() skips pre_save: keep each blind index in step with its field here.
        for field, index in INDEXED_FIELDS.items():
            if field in kwargs and index not in kwargs:
                kwargs[index] = self.model._meta.get_field(index).compute(kwargs[field])
        return super().update(**kwargs)

    update.alters_data = True


class Customer(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    phone = EncryptedTextField(_("phone"), blank=True, context="customer.phone")
    email = EncryptedTextField(_("email"), blank=True, context="customer.email")
    id_number = EncryptedTextField(_("ID number"), blank=True, context="customer.id_number")
    bank_card = EncryptedTextField(_("bank card"), blank=True, context="customer.bank_card")
    phone_index = BlindIndexField(source="phone", kind="phone")
    email_index = BlindIndexField(source="email", kind="email")
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True, db_index=True)
    customer_number = models.CharField(
        _("customer number"), max_length=64, blank=True, db_index=True
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    region = models.CharField(_("region"), max_length=64, blank=True)
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("Retention and erasure leave this customer and their cases untouched."),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    @property
    def is_vip(self) -> bool:
        return self.tier == Tier.VIP
