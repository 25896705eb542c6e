from __future__ import annotations

import os

import pytest
from touch import touch


@pytest.mark.parametrize("n", range(int(os.environ.get("BENCH_TESTS", "50"))))
def test_touch_about_100_rows(n, postgresql):
    assert postgresql.execute("SELECT count(*) FROM orders").fetchone() == (0,)
    assert touch(postgresql) >= 100
