"""Query expressions shared by the selectors."""

from django.db.models import BooleanField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce


def any_row(queryset: QuerySet) -> Coalesce:
    """Whether `queryset` (correlated with OuterRef) has a row, as a scalar subquery rather
    than EXISTS: PostgreSQL turns an EXISTS in the select list into a hashed subplan that
    reads every matching row of the table, even for a page of 25; a scalar subquery runs
    per outer row through the index of the correlation."""
    return Coalesce(
        Subquery(queryset.order_by().values(found=Value(True, output_field=BooleanField()))[:1]),
        Value(False),
        output_field=BooleanField(),
    )
