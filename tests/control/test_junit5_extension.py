"""clients/java's JUnit 5 extension against the real shop: the README's recipe (javac with
Debian's junit5 jars, the console launcher under `seamline run`), as a Java team would run it.

Skipped where `javac` or Debian's `junit5` package is missing, failed instead when `CI` is set:
CI installs both (.ci/run; 114 MB, about 10 s of apt-get on top of its other packages).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.control.toolchain import require_junit5

ROOT = Path(__file__).parents[2]

FAILING = """
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import seamline.junit.SeamlineExtension;

@ExtendWith(SeamlineExtension.class)
class FailingTest {
    @Test
    void expectsAChargeThatNeverHappened(SeamlineExtension.Seamline seamline) throws Exception {
        seamline.seam("api", "payments").one("POST", "/charges");
    }
}
"""


def test_junit_tests_run_under_seamline_run_and_are_attributed_in_the_report(run_root, tmp_path):
    classpath, launcher = require_junit5()
    (tmp_path / "FailingTest.java").write_text(FAILING)
    classes = tmp_path / "classes"
    javac = subprocess.run(
        [
            "javac",
            "-Xlint:all",
            "-Werror",
            "-d",
            str(classes),
            "-cp",
            os.pathsep.join(map(str, classpath)),
            str(ROOT / "clients/java/seamline/junit/SeamlineExtension.java"),
            str(ROOT / "examples/shop/junit/ShopCheckoutTest.java"),
            str(tmp_path / "FailingTest.java"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert javac.returncode == 0, javac.stderr

    env = {
        **os.environ,
        "SEAMLINE_RUN_ROOT": str(run_root),
        "SEAMLINE_RECORD_ROOT": str(tmp_path / "records"),
    }
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "seamline",
            "run",
            str(ROOT / "examples/shop"),
            "--report-dir",
            str(tmp_path / "report"),
            "--",
            "java",
            "-jar",
            str(launcher),
            "-cp",
            str(classes),
            "--select-class",
            "ShopCheckoutTest",
            "--select-class",
            "FailingTest",
            "--disable-banner",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
        check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr  # the launcher's: a test failed

    tests = {t["id"]: t for t in json.loads((tmp_path / "report/report.json").read_text())["tests"]}
    shop = "ShopCheckoutTest::"
    paid = tests[shop + "aShopperPaysAndTheApiChargesPaymentsOnce(Seamline)"]
    refused = tests[shop + "withPaymentsDownTheOrderIsRefusedAndNothingIsCharged(Seamline)"]
    failed = tests["FailingTest::expectsAChargeThatNeverHappened(Seamline)"]
    outcomes = (paid["outcome"], refused["outcome"], failed["outcome"])
    assert outcomes == ("passed", "passed", "failed")
    charges = [(x["seam"], x["request"]["path"]) for x in paid["exchanges"]]
    assert ("api -> payments", "/charges") in charges and ("test -> api", "/orders") in charges
    assert [x["mode"] for x in refused["exchanges"] if x["seam"] == "api -> payments"] == ["fault"]
    assert "expected one POST /charges on /seams/api/payments, found 0" in failed["message"]
