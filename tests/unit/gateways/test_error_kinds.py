"""One classification of refusals for every gateway: each kind has its HTTP and gRPC status."""

from __future__ import annotations

import grpc

from aurex.core.codes import RejectCode
from aurex.gateways.grpc.errors import STATUS
from aurex.gateways.http.errors import KIND_STATUS, reject_status
from aurex.gateways.order_entry import ErrorKind, reject_kind


def test_every_kind_has_an_http_and_a_grpc_status() -> None:
    assert set(KIND_STATUS) == set(ErrorKind) == set(STATUS)


def test_rest_and_grpc_classify_engine_refusals_alike() -> None:
    pairs = {(reject_status(code), STATUS[reject_kind(code)]) for code in RejectCode}
    assert pairs == {
        (404, grpc.StatusCode.NOT_FOUND),
        (409, grpc.StatusCode.FAILED_PRECONDITION),
        (422, grpc.StatusCode.INVALID_ARGUMENT),
        (422, grpc.StatusCode.FAILED_PRECONDITION),  # risk refusals (insufficient cash)
    }
    assert reject_status(RejectCode.UNKNOWN_ORDER) == 404
    assert reject_status(RejectCode.ORDER_NOT_AMENDABLE) == 409
    assert reject_status(RejectCode.PRICE_OFF_TICK) == 422
