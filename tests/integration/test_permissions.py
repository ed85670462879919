"""Who may see a run, checked against the real servers (HTTP and websocket)."""


import pytest

from tests.asyncio_helpers import run_coro
import requests
import websockets
from websockets.exceptions import InvalidStatus

from tests.integration.test_run_lifecycle import collect, submit

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def owners_run(stack):
    session = stack.login("learner")
    return submit(stack, session, epochs=1)


def handshake_status(stack, run_id, cookie="", origin=None):
    async def attempt():
        headers = {"Origin": origin or stack.base_url}
        if cookie:
            headers["Cookie"] = cookie
        try:
            async with websockets.connect(f"ws://{stack.host}/ws/runs/{run_id}/", additional_headers=headers) as ws:
                await ws.recv()
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    return run_coro(attempt())


def test_other_learner_gets_404_on_the_run_page_and_api(stack, owners_run):
    other = stack.login("learner2")
    assert other.get(f"{stack.base_url}/runs/{owners_run['id']}/", timeout=10).status_code == 404
    assert other.get(f"{stack.base_url}/api/runs/{owners_run['id']}/", timeout=10).status_code == 404
    assert other.post(f"{stack.base_url}/api/runs/{owners_run['id']}/cancel/", timeout=10).status_code == 404


def test_other_learner_is_refused_on_the_websocket(stack, owners_run):
    other = stack.login("learner2")
    assert handshake_status(stack, owners_run["id"], stack.cookie_header(other)) == 403


def test_unauthenticated_websocket_is_refused(stack, owners_run):
    assert handshake_status(stack, owners_run["id"]) == 403


def test_websocket_from_a_foreign_origin_is_refused(stack, owners_run):
    owner = stack.login("learner")
    assert handshake_status(stack, owners_run["id"], stack.cookie_header(owner), origin="http://evil.example") == 403


def test_owner_and_the_courses_instructor_may_subscribe(stack, owners_run):
    for username in ("learner", "instructor", "admin"):
        session = stack.login(username)
        history = run_coro(collect(stack, session, owners_run["id"], lambda m: m["type"] == "history", timeout=20))[0]
        assert history["run"]["id"] == owners_run["id"]


def test_anonymous_api_and_pages_are_refused(stack, owners_run):
    assert requests.get(f"{stack.base_url}/api/runs/{owners_run['id']}/", timeout=10).status_code == 403
    page = requests.get(f"{stack.base_url}/runs/{owners_run['id']}/", timeout=10, allow_redirects=False)
    assert page.status_code == 302 and "/accounts/login/" in page.headers["Location"]
