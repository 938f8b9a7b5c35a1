"""Column types shared by the models."""

import enum
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stores UTC without zone information and always returns aware UTC datetimes."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive datetime is ambiguous: refuse it rather than guess its zone.
            raise ValueError(f"naive datetime stored in a UTC column: {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def enum_column(enum_cls: type[enum.Enum], length: int = 20, name: str | None = None) -> sa.Enum:
    """A portable enum stored as its string values, guarded by a CHECK constraint (named
    after the enum, or *name* where a table has two columns of one enum)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
        name=name or enum_cls.__name__.lower(),
    )


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def snapshot(obj) -> dict:
    """The column values of model instance *obj* as JSON values: what is kept of it for
    later (an email written at delivery says what was true when it was queued).
    :func:`restored` makes an object of them again."""
    values = {}
    loaded = obj.__dict__
    for attr in sa.inspect(type(obj)).column_attrs:
        # A loaded column is read from the instance's dict, without the ORM's layer; one
        # not loaded (expired) through it.
        key = attr.key
        value = loaded[key] if key in loaded else getattr(obj, key)
        if isinstance(value, datetime):
            value = value.isoformat()
        elif isinstance(value, enum.Enum):
            value = value.value
        values[key] = value
    return values


def restored(model: type, values: dict):
    """An instance of *model* (of no session) with the column values of a :func:`snapshot`;
    columns it does not name stay unset. Its relationships are empty: read columns only."""
    kept = {}
    for attr in sa.inspect(model).column_attrs:
        if attr.key not in values:
            continue
        value = values[attr.key]
        column_type = attr.columns[0].type
        if value is not None:
            if isinstance(column_type, UTCDateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
                value = column_type.enum_class(value)
        kept[attr.key] = value
    return model(**kept)
