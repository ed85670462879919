import pytest


@pytest.fixture(autouse=True)
def _sandbox_required(needs_sandbox):
    """Every test here needs bubblewrap; without it they fail, never skip."""
