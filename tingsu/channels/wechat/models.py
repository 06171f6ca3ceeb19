import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tingsu.core.models import TimeStampedModel

# Placeholders the reply templates may use: {number} and {url}.
DEFAULT_REPLY_CREATED = "您的投诉已受理，工单号：{number}。查看处理进度：{url}"
DEFAULT_REPLY_APPENDED = "您的补充内容已记录到工单 {number}。查看处理进度：{url}"
_TOKEN = re.compile(r"^[A-Za-z0-9]{3,32}$")


class Mode(models.TextChoices):
    # 消息加解密方式 in the 公众号 console: 明文模式, 兼容模式, 安全模式.
    PLAIN = "plain", _("Plain text")
    COMPATIBLE = "compatible", _("Compatible")
    SAFE = "safe", _("Safe (encrypted)")


class WeChatAccount(TimeStampedModel):
    """One official account (公众号) whose server URL points at this Tingsu."""

    name = models.CharField(_("name"), max_length=100)
    app_id = models.CharField(_("AppID"), max_length=32, unique=True)
    app_secret = models.CharField(_("AppSecret"), max_length=64)
    token = models.CharField(
        _("token"), max_length=32, help_text=_("The Token entered in the server configuration.")
    )
    encoding_aes_key = models.CharField(
        _("EncodingAESKey"),
        max_length=43,
        blank=True,
        help_text=_("43 characters; needed in compatible and safe mode."),
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.SAFE)
    is_active = models.BooleanField(_("active"), default=True)
    template_id = models.CharField(
        _("template message ID"),
        max_length=64,
        blank=True,
        help_text=_("Template with first, keyword1, keyword2 and remark fields."),
    )
    reply_created = models.TextField(
        _("reply to a new complaint"),
        default=DEFAULT_REPLY_CREATED,
        help_text=_("{number} is the case number, {url} the tracking link."),
    )
    reply_appended = models.TextField(
        _("reply to an added message"),
        default=DEFAULT_REPLY_APPENDED,
        help_text=_("{number} is the case number, {url} the tracking link."),
    )
    # The cached API access token, shared by every worker (a new one invalidates the old).
    access_token = models.CharField(max_length=512, blank=True, editable=False)
    access_token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("WeChat official account")
        verbose_name_plural = _("WeChat official accounts")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if not _TOKEN.match(self.token or ""):
            errors["token"] = _("3 to 32 letters or digits, as the WeChat console requires.")
        if self.mode != Mode.PLAIN and not re.fullmatch(r"[A-Za-z0-9]{43}", self.encoding_aes_key):
            errors["encoding_aes_key"] = _("43 letters or digits, as the WeChat console shows.")
        for field in ("reply_created", "reply_appended"):
            try:
                getattr(self, field).format(number="", url="")
            except (KeyError, IndexError, ValueError):
                errors[field] = _("Only {number} and {url} may appear in braces.")
        if errors:
            raise ValidationError(errors)


class WeChatFollower(TimeStampedModel):
    """Who follows which account, and the customer that openid belongs to."""

    account = models.ForeignKey(WeChatAccount, on_delete=models.CASCADE, related_name="followers")
    openid = models.CharField(_("openid"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="wechat_follows",
    )
    subscribed = models.BooleanField(_("subscribed"), default=False)
    subscribed_at = models.DateTimeField(_("subscribed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("WeChat follower")
        verbose_name_plural = _("WeChat followers")
        constraints = [
            models.UniqueConstraint(fields=["account", "openid"], name="wechat_follower_unique")
        ]

    def __str__(self) -> str:
        return self.openid
