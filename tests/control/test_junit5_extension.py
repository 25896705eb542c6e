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
from typing import Any

import pytest

from tests.control.contracted import contracted_system
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


CONTRACTED = """
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import seamline.junit.SeamlineExtension;

@ExtendWith(SeamlineExtension.class)
class ContractTest {
    private static int get(SeamlineExtension.Seamline seamline, String path) throws Exception {
        URI uri = URI.create(seamline.url("api") + path);
        HttpRequest request = HttpRequest.newBuilder(uri).build();
        return HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void keepsTheContract(SeamlineExtension.Seamline seamline) throws Exception {
        assertEquals(200, get(seamline, "/health"));
    }

    @Test
    void passesButBreaksTheContract(SeamlineExtension.Seamline seamline) throws Exception {
        assertEquals(200, get(seamline, "/pid"));
    }
}
"""


def compiled(tmp_path: Path, classpath: list[Path], *sources: Path) -> Path:
    """The classes of SeamlineExtension.java and `sources`, compiled as the README says."""
    classes = tmp_path / "classes"
    extension = ROOT / "clients/java/seamline/junit/SeamlineExtension.java"
    jars = os.pathsep.join(map(str, classpath))
    javac = subprocess.run(
        ["javac", "-Xlint:all", "-Werror", "-d", str(classes), "-cp", jars, str(extension)]
        + [str(source) for source in sources],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert javac.returncode == 0, javac.stderr
    return classes


def run_junit(
    system: Path, launcher: Path, classes: Path, run_root: Path, tmp_path: Path, *selected: str
) -> subprocess.CompletedProcess[str]:
    """`seamline run SYSTEM -- java -jar LAUNCHER ...` on the `selected` classes; the report
    in tmp_path/report."""
    env = {
        **os.environ,
        "SEAMLINE_RUN_ROOT": str(run_root),
        "SEAMLINE_RECORD_ROOT": str(tmp_path / "records"),
    }
    command = [sys.executable, "-m", "seamline", "run", str(system)]
    command += ["--report-dir", str(tmp_path / "report"), "--"]
    command += ["java", "-jar", str(launcher), "-cp", str(classes), "--disable-banner"]
    for name in selected:
        command += ["--select-class", name]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=240,
        check=False,
    )


def report_tests(tmp_path: Path) -> dict[str, dict[str, Any]]:
    report = json.loads((tmp_path / "report/report.json").read_text())
    return {t["id"]: t for t in report["tests"]}


def test_junit_tests_run_under_seamline_run_and_are_attributed_in_the_report(run_root, tmp_path):
    classpath, launcher = require_junit5()
    (tmp_path / "FailingTest.java").write_text(FAILING)
    shop_test = ROOT / "examples/shop/junit/ShopCheckoutTest.java"
    classes = compiled(tmp_path, classpath, shop_test, tmp_path / "FailingTest.java")
    run = run_junit(
        ROOT / "examples/shop",
        launcher,
        classes,
        run_root,
        tmp_path,
        "ShopCheckoutTest",
        "FailingTest",
    )
    assert run.returncode == 1, run.stdout + run.stderr  # the launcher's: a test failed

    tests = report_tests(tmp_path)
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


@pytest.mark.parametrize("contracts", ["fail", "warn", "off"])
def test_a_junit_test_that_broke_a_contract_ends_as_the_launcher_shows_it_under_each_mode(
    contracts, write_config, run_root, tmp_path
):
    classpath, launcher = require_junit5()
    (tmp_path / "ContractTest.java").write_text(CONTRACTED)
    classes = compiled(tmp_path, classpath, tmp_path / "ContractTest.java")
    system = contracted_system(write_config, contracts)
    run = run_junit(system, launcher, classes, run_root, tmp_path, "ContractTest")

    output = run.stdout + run.stderr
    tests = report_tests(tmp_path)
    kept = tests["ContractTest::keepsTheContract(Seamline)"]
    broken = tests["ContractTest::passesButBreaksTheContract(Seamline)"]
    assert kept["outcome"] == "passed"
    violation = "test -> api: GET /pid response 200: body.version: expected a value"
    if contracts == "fail":  # failed in the launcher's summary and in the report alike
        assert run.returncode == 1, output
        assert " 1 tests failed " in run.stdout, output
        assert broken["outcome"] == "failed"
        assert broken["message"].startswith("1 contract violation(s) on the seams in this test")
        assert violation in broken["message"]
    else:
        assert run.returncode == 0, output
        assert broken["outcome"] == "passed"
        warned = f"seamline: {broken['id']}: 1 contract violation(s) on the seams in this test"
        assert (warned in run.stderr and violation in run.stderr) == (contracts == "warn"), output
