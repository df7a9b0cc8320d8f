"""The core keeps numpy's BLAS to one thread: a question's products are small, and
BLAS threads contending with the bot's made them fifty times slower."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import PROJECT_ROOT

PROBE = """
import knowledge, threadpoolctl
print(sorted({pool["num_threads"] for pool in threadpoolctl.threadpool_info()
              if pool["user_api"] == "blas"}))
"""


def test_importing_the_core_limits_blas_to_one_thread() -> None:
    # A fresh interpreter, so no other test's limits are in force.
    output = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        env={"OPENBLAS_NUM_THREADS": "2", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert output.strip() == "[1]"
