"""What a body recorded on a seam says when a test cannot read it."""

from __future__ import annotations

import pytest

from seamline.errors import SeamlineError
from seamline.records.exchange import Body


def test_a_truncated_body_names_the_config_key_that_keeps_more():
    body = Body(b'{"items": [1, 2', size=40_000, truncated=True, content_type="application/json")
    with pytest.raises(SeamlineError) as caught:
        _ = body.json
    assert "`body_cap` in the [seams] table" in str(caught.value)
    assert "journal_body_cap" not in str(caught.value)
