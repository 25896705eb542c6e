"""Keeping the first bytes of a body for the journal while it streams past."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator

from seamline.records.exchange import Body


class Capture:
    """Collects up to `cap` bytes of a body and counts all of them."""

    __slots__ = ("_kept", "_parts", "cap", "size")

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.size = 0
        self._kept = 0
        self._parts: list[bytes] = []

    def add(self, data: bytes) -> None:
        self.size += len(data)
        room = self.cap - self._kept
        if room > 0 and data:
            piece = data[:room]
            self._parts.append(piece)
            self._kept += len(piece)

    def body(self, content_type: str) -> Body:
        return Body(b"".join(self._parts), self.size, self.size > self._kept, content_type)

    async def tee(self, stream: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in stream:
            self.add(chunk)
            yield chunk
