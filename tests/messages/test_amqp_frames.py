"""The AMQP frame decoder against pika's own encoder: every field-table type, properties,
bodies over several frames, and any split of the byte stream into reads."""

from __future__ import annotations

from typing import Any

import pika
from hypothesis import given, settings
from hypothesis import strategies as st
from pika import frame as pika_frame
from pika import spec

from seamline.seams import amqp
from seamline.seams.resp import FrameReader

FRAME_MAX = 4096

header_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=20)
    | st.binary(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


def publish_bytes(channel: int, key: str, body: bytes, properties: spec.BasicProperties) -> bytes:
    """What pika writes for one `basic_publish`: method, content header, body frames."""
    frames = [
        pika_frame.Method(channel, spec.Basic.Publish(exchange="shop", routing_key=key)),
        pika_frame.Header(channel, len(body), properties),
    ]
    step = FRAME_MAX - 8
    frames += [pika_frame.Body(channel, body[at : at + step]) for at in range(0, len(body), step)]
    return b"".join(f.marshal() for f in frames)


def plain(value: Any) -> Any:
    """A header value as the seam shows it: text, or JSON text."""
    return amqp.header_text(value.decode("utf-8", "replace") if isinstance(value, bytes) else value)


@settings(max_examples=60, deadline=None)
@given(
    headers=st.dictionaries(st.text(min_size=1, max_size=8), header_values, max_size=5),
    body=st.binary(max_size=10_000),
    cuts=st.lists(st.integers(1, 20_000), max_size=8),
    count=st.integers(1, 3),
)
def test_publishes_decode_whole_whatever_the_reads(headers, body, cuts, count):
    properties = pika.BasicProperties(
        content_type="application/json", correlation_id="c-1", delivery_mode=2, headers=headers
    )
    stream = b"".join(publish_bytes(1, f"k{n}", body, properties) for n in range(count))
    reader = FrameReader(amqp.parse)
    link = amqp.AmqpLink()
    found = []
    at = 0
    for cut in [*sorted({c % (len(stream) + 1) for c in cuts}), len(stream)]:
        for frame in reader.feed(stream[at:cut]):
            found += link.command(frame.value)
        at = cut
    assert reader.broken is None and reader.pending() == b""
    assert [(f.subject, f.exchange, f.payload) for f in found] == [
        (f"k{n}", "shop", body) for n in range(count)
    ]
    decoded = dict(found[0].headers or [])
    assert decoded == {
        name: plain(pika.data.decode_table(*_encoded(headers))[0][name]) for name in headers
    }
    assert found[0].properties == {
        "content_type": "application/json",
        "correlation_id": "c-1",
        "delivery_mode": 2,
        "channel": 1,
    }


def _encoded(headers: dict[str, Any]) -> tuple[bytes, int]:
    """`headers` as pika encodes them and reads them back (its own round trip)."""
    pieces: list[bytes] = []
    pika.data.encode_table(pieces, headers)
    return b"".join(pieces), 0


def test_a_content_frame_of_another_channel_in_the_middle_is_flagged():
    properties = pika.BasicProperties()
    one = publish_bytes(1, "a", b"x", properties)
    method_end = 7 + int.from_bytes(one[3:7], "big") + 1
    interleaved = one[:method_end] + publish_bytes(2, "b", b"y", properties) + one[method_end:]
    reader = FrameReader(amqp.parse)
    assert reader.feed(interleaved) == []
    assert reader.broken is not None and "content header of channel 1" in reader.broken
