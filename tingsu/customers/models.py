from django.db import models
from django.utils.translation import gettext_lazy as _

from tingsu.core.models import TimeStampedModel


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SILVER = "silver", _("Silver")
    GOLD = "gold", _("Gold")
    VIP = "vip", _("VIP")


class Customer(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    wechat_openid = models.CharField(_("WeChat openid"), max_length=64, blank=True, db_index=True)
    customer_number = models.CharField(
        _("customer number"), max_length=64, blank=True, db_index=True
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    region = models.CharField(_("region"), max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    @property
    def is_vip(self) -> bool:
        return self.tier == Tier.VIP
