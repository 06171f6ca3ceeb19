"""Follow (subscribe) and unfollow (unsubscribe) events keep the customer's WeChat identity."""

from datetime import UTC, datetime

import pytest

from tingsu.audit.models import AuditEntry
from tingsu.channels.wechat.models import WeChatFollower
from tingsu.channels.wechat.tests.wechat_server import event_xml
from tingsu.core.testing import make_customer
from tingsu.customers.models import Customer

pytestmark = pytest.mark.django_db
FOLLOWED_AT = 1716170000
UNFOLLOWED_AT = 1716180000


def post(client, url_and_body):
    url, body = url_and_body
    return client.post(url, body, content_type="text/xml")


def test_a_follow_creates_the_customer_by_openid_and_a_subscribed_follower(client, wechat, openid):
    response = post(client, wechat.safe(event_xml(openid, "subscribe", FOLLOWED_AT)))

    assert response.status_code == 200
    assert response.content == b"success"
    customer = Customer.objects.get(wechat_openid=openid)
    follower = WeChatFollower.objects.get(openid=openid)
    assert follower.customer == customer
    assert follower.subscribed is True
    assert follower.subscribed_at == datetime.fromtimestamp(FOLLOWED_AT, tz=UTC)
    entry = AuditEntry.objects.get(action="wechat.subscribe")
    assert entry.object_id == str(follower.pk)
    assert entry.changes["customer"] == customer.pk
    assert entry.actor_label == f"wechat:{openid}"


def test_a_follow_links_the_customer_who_already_has_the_openid(client, wechat, openid):
    known = make_customer(name="王女士", wechat_openid=openid)
    post(client, wechat.safe(event_xml(openid, "subscribe")))
    assert Customer.objects.count() == 1
    assert WeChatFollower.objects.get(openid=openid).customer == known


def test_an_unfollow_marks_the_follower_unsubscribed_and_keeps_the_identity(client, wechat, openid):
    post(client, wechat.safe(event_xml(openid, "subscribe", FOLLOWED_AT)))
    response = post(client, wechat.safe(event_xml(openid, "unsubscribe", UNFOLLOWED_AT)))

    assert response.content == b"success"
    follower = WeChatFollower.objects.get(openid=openid)
    assert follower.subscribed is False
    assert follower.unsubscribed_at == datetime.fromtimestamp(UNFOLLOWED_AT, tz=UTC)
    assert follower.customer.wechat_openid == openid
    assert AuditEntry.objects.filter(action="wechat.unsubscribe").count() == 1


def test_following_again_subscribes_the_same_follower(client, wechat, openid):
    for event in ("subscribe", "unsubscribe", "subscribe"):
        post(client, wechat.safe(event_xml(openid, event)))
    follower = WeChatFollower.objects.get(openid=openid)
    assert follower.subscribed is True
    assert Customer.objects.filter(wechat_openid=openid).count() == 1


def test_an_unfollow_from_someone_never_seen_is_recorded(client, wechat, openid):
    post(client, wechat.safe(event_xml(openid, "unsubscribe")))
    follower = WeChatFollower.objects.get(openid=openid)
    assert follower.subscribed is False
    assert follower.customer is None


def test_a_follow_event_with_a_bad_signature_changes_nothing(client, wechat, openid):
    url, body = wechat.safe(event_xml(openid, "subscribe"))
    url = url.replace("signature=", "signature=0", 1)
    assert client.post(url, body, content_type="text/xml").status_code == 403
    assert WeChatFollower.objects.count() == 0
    assert Customer.objects.count() == 0
