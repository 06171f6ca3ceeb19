"""What a WeChat callback does to our data: messages become cases through the channels core,
follow and unfollow events keep WeChatFollower and the customer's openid up to date."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tingsu.audit.services import audit_record
from tingsu.cases.models import OPEN_STATUSES, Case, Channel
from tingsu.channels.contracts import Identity, InboundMessage, InboundResult
from tingsu.channels.inbound import inbound_receive
from tingsu.channels.models import InboundRecord
from tingsu.channels.wechat.models import WeChatAccount, WeChatFollower
from tingsu.customers.models import Customer
from tingsu.customers.services import customer_resolve

MESSAGE_TYPES = ("text", "image", "voice")


def _sent_at(message: dict[str, str]) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(message.get("CreateTime", "")), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _customer_name(openid: str) -> str:
    # WeChat no longer gives nicknames to official accounts; staff can rename the customer.
    return _("WeChat user %(suffix)s") % {"suffix": openid[-6:]}


def message_body(message: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The case text for a text, image or voice message, and what we keep in meta.

    Media are not fetched: the MediaId (valid 3 days on WeChat's side) and PicUrl are recorded
    so staff can see them and a later job may download them.
    """
    kind = message.get("MsgType", "")
    meta = {"msg_type": kind, "to_user": message.get("ToUserName", "")}
    if kind == "text":
        return message.get("Content", ""), meta
    if kind == "image":
        meta |= {"media_id": message.get("MediaId", ""), "pic_url": message.get("PicUrl", "")}
        body = _("[Image from WeChat] %(url)s (media id %(media_id)s)") % {
            "url": meta["pic_url"],
            "media_id": meta["media_id"],
        }
        return body, meta
    meta |= {
        "media_id": message.get("MediaId", ""),
        "format": message.get("Format", ""),
        "recognition": message.get("Recognition", ""),
    }
    body = _("[Voice message from WeChat, %(format)s, media id %(media_id)s]") % meta
    if meta["recognition"]:
        body += "\n" + _("Recognised text: %(text)s") % {"text": meta["recognition"]}
    return body, meta


def _conversation_case(openid: str) -> list[str]:
    """The sender's latest open WeChat case still in conversation, as a threading hint.

    People write to an official account in fragments ("你好", the complaint, a photo), so a
    message within the window belongs to the case they are already talking about.
    """
    hours = float(settings.TINGSU.get("WECHAT_THREAD_HOURS", 72))
    case = (
        Case.objects.filter(
            customer__wechat_openid=openid, channel=Channel.WECHAT, status__in=OPEN_STATUSES
        )
        .annotate(last_event_at=Max("events__created_at"))
        .filter(last_event_at__gte=timezone.now() - timedelta(hours=hours))
        .order_by("-last_event_at")
        .only("number")
        .first()
    )
    return [case.number] if case else []


def _follower_link(*, account: WeChatAccount, openid: str, customer: Customer | None) -> None:
    """Remember which account an openid writes to (the transport sends through it)."""
    try:
        with transaction.atomic():
            WeChatFollower.objects.get_or_create(
                account=account,
                openid=openid,
                defaults={"customer": customer, "subscribed": True},
            )
    except IntegrityError:
        pass  # a concurrent callback created it
    if customer is not None:
        WeChatFollower.objects.filter(account=account, openid=openid, customer=None).update(
            customer=customer
        )


def wechat_message_receive(
    *, account: WeChatAccount, message: dict[str, str], raw: bytes = b""
) -> str | None:
    """Feed a text, image or voice message to the channels core.

    Returns the passive reply text, or None when WeChat should just get "success". A repeat
    delivery of the same MsgId (WeChat retries three times) gets the same reply.
    """
    if message.get("MsgType") not in MESSAGE_TYPES:
        return None
    openid = message.get("FromUserName", "")
    if not openid:
        return None
    body, meta = message_body(message)
    meta |= {"account": account.pk, "app_id": account.app_id}
    msg_id = message.get("MsgId", "")
    result = inbound_receive(
        message=InboundMessage(
            channel=Channel.WECHAT,
            identity=Identity(name=_customer_name(openid), wechat_openid=openid),
            body=body,
            external_id=msg_id,
            case_numbers=_conversation_case(openid),
            received_at=_sent_at(message),
            raw=raw,
            meta=meta,
        )
    )
    if result.outcome == "rejected" or not result.case_number:
        return None
    case = Case.objects.select_related("customer").get(number=result.case_number)
    _follower_link(account=account, openid=openid, customer=case.customer)
    template = account.reply_created if _opened_case(result, case) else account.reply_appended
    return reply_text(template, case)


def _opened_case(result: InboundResult, case: Case) -> bool:
    if result.outcome == "created":
        return True
    if result.outcome != "duplicate_delivery":
        return False
    # The same reply as the first delivery: did that message open this case?
    first = InboundRecord.objects.filter(case=case).order_by("id").first()
    return (
        case.channel == Channel.WECHAT
        and first is not None
        and (result.record_id is None or first.pk == result.record_id)
    )


def tracking_url(case: Case) -> str:
    site = settings.TINGSU["SITE_URL"].rstrip("/")
    return f"{site}/portal/track/{case.number}/?t={case.access_token()}"


def reply_text(template: str, case: Case) -> str:
    values = {"number": case.number, "url": tracking_url(case)}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        # A template broken in admin must not lose the customer's case number.
        return "{number} {url}".format(**values)


@transaction.atomic
def wechat_follower_subscribe(
    *, account: WeChatAccount, openid: str, at: datetime | None = None
) -> WeChatFollower:
    """A user followed the account: find or create the customer by openid and remember it."""
    at = at or timezone.now()
    customer = customer_resolve(name=_customer_name(openid), wechat_openid=openid)
    follower = _follower_for_update(account=account, openid=openid)
    WeChatFollower.objects.filter(pk=follower.pk).update(
        subscribed=True, subscribed_at=at, customer=customer, updated_at=timezone.now()
    )
    follower.refresh_from_db()
    audit_record(
        actor=None,
        action="wechat.subscribe",
        obj=follower,
        changes={"openid": openid, "account": account.pk, "customer": customer.pk},
        actor_label=f"wechat:{openid}",
    )
    return follower


@transaction.atomic
def wechat_follower_unsubscribe(
    *, account: WeChatAccount, openid: str, at: datetime | None = None
) -> WeChatFollower:
    """A user unfollowed: template messages to them will fail, so mark them unsubscribed.

    The customer keeps the openid: it still identifies them if they follow again.
    """
    at = at or timezone.now()
    follower = _follower_for_update(account=account, openid=openid)
    WeChatFollower.objects.filter(pk=follower.pk).update(
        subscribed=False, unsubscribed_at=at, updated_at=timezone.now()
    )
    follower.refresh_from_db()
    audit_record(
        actor=None,
        action="wechat.unsubscribe",
        obj=follower,
        changes={"openid": openid, "account": account.pk},
        actor_label=f"wechat:{openid}",
    )
    return follower


def _follower_for_update(*, account: WeChatAccount, openid: str) -> WeChatFollower:
    try:
        with transaction.atomic():
            WeChatFollower.objects.get_or_create(account=account, openid=openid)
    except IntegrityError:
        pass  # a concurrent callback created it
    return WeChatFollower.objects.select_for_update().get(account=account, openid=openid)


def wechat_event_receive(*, account: WeChatAccount, message: dict[str, str]) -> None:
    """Events are answered with "success"; follow and unfollow update the follower."""
    event = message.get("Event", "").lower()
    openid = message.get("FromUserName", "")
    if not openid:
        return
    if event == "subscribe":
        wechat_follower_subscribe(account=account, openid=openid, at=_sent_at(message))
    elif event == "unsubscribe":
        wechat_follower_unsubscribe(account=account, openid=openid, at=_sent_at(message))
