"""A page left open on a quiet run must keep its websocket. redis-py's default 5 s socket
timeout races channels-redis' 5 s blocking pop; under load that race closed idle sockets with
"Timeout reading" (seen in a full test run), hence the longer timeout in settings."""

import asyncio
import json

import pytest
import websockets

from tests.asyncio_helpers import run_coro

pytestmark = pytest.mark.integration


def test_an_idle_websocket_stays_open_longer_than_the_redis_poll(stack):
    session = stack.login("learner")
    runs = session.get(f"{stack.base_url}/api/runs/", timeout=10).json()
    if runs:
        run_id = runs[0]["id"]
    else:
        from tests.integration.test_run_lifecycle import submit

        run_id = submit(stack, session, epochs=1)["id"]

    async def idle():
        headers = {"Cookie": stack.cookie_header(session), "Origin": stack.base_url}
        async with websockets.connect(f"ws://{stack.host}/ws/runs/{run_id}/", additional_headers=headers) as ws:
            assert json.loads(await ws.recv())["type"] == "history"
            await asyncio.sleep(12)
            await ws.send(json.dumps({"type": "ping"}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message["type"] == "pong":
                    return True

    assert run_coro(idle())
