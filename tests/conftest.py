import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))
pytest_plugins = ("tampered_folders",)  # `pristine` and `folder`: a results folder to tamper with

# CI (CI=true, as .ci/run is run) draws the same hypothesis examples every time, so a submission's
# result does not depend on luck; a developer's runs keep exploring new examples (and keep any
# failure they find in .hypothesis/ until it is fixed).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def pytest_addoption(parser):  # type: ignore[no-untyped-def]
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.csv from the current model instead of comparing")
