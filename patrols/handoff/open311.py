"""Open311 GeoReport v2: the interface a later step fills in (the service list mapped to our
categories, POST of the request keeping the service request id, the status polled back).
Until then an Open311 channel can be made, but sending to it fails visibly."""

from .base import FAILED, Outcome


def send(handoff) -> Outcome:
    """Not built yet: a permanent failure with that reason, so nothing waits for it."""
    return Outcome(FAILED, detail="Open311 is not supported yet")
