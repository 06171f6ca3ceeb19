"""TOTP two-factor enrolment and removal (django-otp). Each change is audited."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from tingsu.accounts.models import User
from tingsu.audit.services import audit_record
from tingsu.core.errors import ErrorCode, TingsuError, ValidationFailed

DEVICE_NAME = "authenticator"


def two_factor_device_start(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created with a fresh secret if none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def device_secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def device_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code, as a data: URI (allowed by the CSP's img-src)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@transaction.atomic
def two_factor_device_confirm(*, user: User, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token((token or "").strip()):
        raise ValidationFailed(
            _("That code is not right. Check the time on your phone and try again."),
            {"token": [_("Enter the 6-digit code from your authenticator app.")]},
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=user, action="two_factor.enable", obj=user)
    return device


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Remove the user's devices; refused for the roles that must use two-factor."""
    if user.needs_two_factor:
        raise TingsuError(
            ErrorCode.PERMISSION_DENIED,
            _("Your role must use two-factor authentication."),
        )
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action="two_factor.disable", obj=user)
