"""The shop's strategies as CI runs them (.ci/run): incremental on the committed recordings,
and bisect of the failure demo naming `api -> payments` and the `amount` field."""

from __future__ import annotations

from pathlib import Path

from tests.strategies.hubs import seamline

SHOP = Path(__file__).parents[2] / "examples" / "shop"
CHECKOUT = ["--", "tests/test_checkout.py"]  # the quick part of the suite, as CI runs it


def test_the_shop_passes_incremental_on_its_committed_recordings(tmp_path: Path) -> None:
    options = ["--plain", "--report-dir", str(tmp_path)]
    done = seamline("test", str(SHOP), "--strategy", "incremental", *options, *CHECKOUT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "every step passed (2 step(s))" in done.stdout


def test_bisect_of_the_amount_as_string_demo_names_the_seam_and_the_field(tmp_path: Path) -> None:
    options = ["--plain", "--report-dir", str(tmp_path)]
    demo = {"SHOP_PAYMENTS_AMOUNT_AS_STRING": "1"}
    done = seamline("bisect", str(SHOP), *options, *CHECKOUT, env=demo)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr
    assert "bisect: api -> payments real (every other seam replayed) still fails" in done.stdout
    assert 'POST /charges response $.amount: changed (3998 -> "39.98")' in done.stdout
