"""The README's "see a failure": payments answering `amount` as a string ("39.98") instead of
integer cents, the user's "perfectly-tested microservice" that "expected a different response
format". The api refuses the answer, and seamline's contract check on the `api -> payments`
seam says which seam, which operation and which field broke `contracts/payments.yaml`.

A broken contract fails the test it happens in, so this runs the checkout test in a separate
pytest process, with its own shop whose payments has `SHOP_PAYMENTS_AMOUNT_AS_STRING=1`, and
checks that it fails, and how.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SHOP = Path(__file__).resolve().parents[1]
CHECKOUT = SHOP / "tests" / "test_checkout.py"
VIOLATION = (
    "api -> payments: POST /charges response 201: body.amount: "
    "expected integer, found string '39.98'"
)


def test_payments_answering_amount_as_a_string_fails_checkout_naming_seam_operation_and_field(
    tmp_path: Path,
):
    # A pytest of its own (not an xdist worker, not inside this test), on SQLite: the
    # contract is the point here, not the database.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.pop("SEAMLINE_PROFILE", None)
    env["SHOP_PAYMENTS_AMOUNT_AS_STRING"] = "1"
    env["SEAMLINE_RECORD_ROOT"] = str(tmp_path / "records")

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            f"{CHECKOUT}::test_checkout_charges_the_cart_total_once_and_stores_the_paid_order",
            f"--seamline-config={SHOP / 'seamline.toml'}",
            f"--rootdir={SHOP}",
            "-p",
            "no:cacheprovider",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    # The stubbed run passes: the stub answers integer cents. The real one fails twice over,
    # at the step where payments answered (the test's own check of the seam) and at teardown
    # (seamline's contract check), both naming the seam, the operation and the field.
    assert "1 failed, 1 passed, 1 error" in output, output
    assert f"AssertionError: {VIOLATION}" in output, output
    assert f"1 contract violation(s) on the seams in this test:\n  {VIOLATION}" in output, output
