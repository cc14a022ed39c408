"""Helpers shared by test modules."""
import os

import pytest


def missing_tool(reason: str) -> None:
    """Skip a test whose tool is absent on a newcomer's machine; fail it in CI.

    ``.ci/run`` installs Chromium, Node and the npm packages, so in CI a
    missing tool is a broken install, never a reason to pass quietly.
    """
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI installs it: see .ci/run)")
    pytest.skip(reason)
