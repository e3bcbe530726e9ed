from pairsapi.api.fields import (
    NumberField,
    PassphraseBodySerializer,
    TimestampField,
    WholeNumberField,
    render_timestamp,
)

from .models import WIRE_FIELDS


def snapshot_json(snapshot):
    body = {"rowid": snapshot.rowid, "timestamp": render_timestamp(snapshot.timestamp)}
    body.update({key: getattr(snapshot, field) for key, field in WIRE_FIELDS.items()})
    return body


class SnapshotSerializer(PassphraseBodySerializer):
    """An account snapshot in the broker's key names; absent keys are left out of the result."""

    timestamp = TimestampField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        for key, field in WIRE_FIELDS.items():
            fields[key] = NumberField(required=False, allow_null=True, source=field)
        return fields


class SnapshotUpdateSerializer(SnapshotSerializer):
    rowid = WholeNumberField(min_value=1)
