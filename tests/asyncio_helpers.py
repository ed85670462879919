import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_coro(coro):
    """Run a coroutine to completion on a fresh loop in its own thread, so it works even when
    the test thread already has a running loop (Playwright's sync API keeps one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
