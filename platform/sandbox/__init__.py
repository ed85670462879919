"""Sandboxed execution of learner code (bubblewrap). See docs/sandbox.md."""

from .runner import Limits, Result, SandboxUnavailable, run_python, sandbox_available

__all__ = ["Limits", "Result", "SandboxUnavailable", "run_python", "sandbox_available"]
