"""A fault's settings as the journal records them."""

from __future__ import annotations

from seamline.seams import Fault


def test_a_fault_records_every_setting_that_is_set():
    assert Fault(status=503).to_json() == {"status": 503, "rate": 1.0}
    assert Fault(drop_after_bytes=0).to_json() == {"drop_after_bytes": 0, "rate": 1.0}
    assert Fault(latency_ms=5, reset=True, rate=0.5).to_json() == {
        "latency_ms": 5,
        "reset": True,
        "rate": 0.5,
    }
