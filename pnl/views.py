from rest_framework import status
from rest_framework.response import Response

from pairsapi.api.listing import ANONYMOUS_CAP, capped_number_of_items
from pairsapi.api.openapi import (
    MESSAGE,
    NUMBER_OF_ITEMS,
    SNAPSHOT,
    listing,
    v3_doc,
)
from pairsapi.api.permissions import OptionalAccessToken, PassphraseRequired
from pairsapi.api.views import V3ViewSet

from . import selectors, services
from .serializers import SnapshotSerializer, SnapshotUpdateSerializer, snapshot_json


class SnapshotViewSet(V3ViewSet):
    openapi_tag = "account"

    action_permissions = {
        "create": [PassphraseRequired],
        "update": [PassphraseRequired],
        "newest": [OptionalAccessToken],
    }

    @v3_doc("Record an account snapshot", SnapshotSerializer, {201: MESSAGE})
    def create(self, request):
        services.record_snapshot(**self.validated(SnapshotSerializer))
        return Response(
            {"message": "'record' created successfully."}, status=status.HTTP_201_CREATED
        )

    @v3_doc("Correct an account snapshot", SnapshotUpdateSerializer, SNAPSHOT)
    def update(self, request):
        snapshot = services.update_snapshot(**self.validated(SnapshotUpdateSerializer))
        return Response(snapshot_json(snapshot))

    @v3_doc(
        "Account snapshots, newest first (the list is under 'signals' and 'pnl')",
        None,
        listing(
            "signals",
            SNAPSHOT,
            pnl={"type": "array", "items": SNAPSHOT},
            notoken_limit={"type": "integer"},
        ),
        [NUMBER_OF_ITEMS],
    )
    def newest(self, request, number_of_items):
        number = capped_number_of_items(number_of_items, request)
        snapshots = [snapshot_json(s) for s in selectors.newest_snapshots(number)]
        # The existing client reads the list under "signals"; "pnl" is the sensible name.
        return Response({"signals": snapshots, "pnl": snapshots, "notoken_limit": ANONYMOUS_CAP})
