"""The unread-notification badge in the desk nav: one COUNT query, only where it is shown."""

from django import template

from tingsu.channels.notify import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
