"""Filters shared by the API's FilterSets."""

from datetime import UTC, datetime

import django_filters
from django_filters.fields import IsoDateTimeField


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment, turned to UTC: Python reads offsets PostgreSQL refuses (-18:41)."""

    def to_python(self, value: object) -> datetime | None:
        moment = super().to_python(value)
        return moment.astimezone(UTC) if moment is not None else None


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField
