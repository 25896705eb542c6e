from __future__ import annotations

import os

import pytest
from touch import touch


@pytest.mark.parametrize("n", range(int(os.environ.get("BENCH_TESTS", "50"))))
def test_touch_about_100_rows(n, db, writer):
    assert db.count("orders") == 0  # every test starts from the seed
    assert touch(writer()) >= 100
