"""Shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):  # noqa: ANN001
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value, dialect):  # noqa: ANN001
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


JSONType = JSON


def column_length(attr: Any) -> int:
    """The declared length of a ``String(n)`` column, e.g. ``column_length(Agency.code)``."""
    return int(attr.property.columns[0].type.length)


class AgencyLevel(StrEnum):
    CENTRAL = "central"
    PROVINCE = "province"
    DISTRICT = "district"  # huyện, thị xã, thành phố thuộc tỉnh: none from 01/7/2025
    COMMUNE = "commune"
    OTHER = "other"
