from django import template

from tingsu.triage.learning.services import suggestions_for

register = template.Library()


@register.simple_tag
def triage_suggestions(case):
    """The classifier's unapplied suggestions for this case (newest per target)."""
    return suggestions_for(case=case)
