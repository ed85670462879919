"""Websocket consumer, in process, through the same routing and auth stack as production."""


import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from training.routing import websocket_urlpatterns
from training.services import epoch_metric_record, run_publish
from tests.asyncio_helpers import run_coro
from tests.factories import instructor_of

pytestmark = pytest.mark.django_db(transaction=True)


def application():
    return URLRouter(websocket_urlpatterns)


async def connect(user, run_id, app=None):
    communicator = WebsocketCommunicator(app or application(), f"/ws/runs/{run_id}/")
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


def run_async(coro):
    return run_coro(coro)


def test_owner_receives_history_then_live_messages(run):
    epoch_metric_record(run.pk, 1, {"loss": 1.5, "accuracy": 0.4}, 2.0)

    async def scenario():
        communicator, connected, _ = await connect(run.owner, run.pk)
        assert connected
        history = await communicator.receive_json_from()
        assert history["type"] == "history"
        assert history["run"]["id"] == run.pk and history["epochs"][0]["epoch"] == 1
        await sync_to_async(run_publish)(run.pk, {"type": "batch", "batch": 3, "steps": 10, "metrics": {"loss": 1.0}})
        live = await communicator.receive_json_from()
        assert live == {"type": "batch", "batch": 3, "steps": 10, "metrics": {"loss": 1.0}}
        await communicator.disconnect()

    run_async(scenario())


def test_learner_cannot_subscribe_to_other_learners_run(run, other_learner):
    async def scenario():
        communicator, connected, code = await connect(other_learner, run.pk)
        assert not connected and code == 4403
        # Nothing published to the run reaches the refused client.
        await sync_to_async(run_publish)(run.pk, {"type": "batch", "batch": 1, "steps": 2, "metrics": {}})
        assert await communicator.receive_nothing(timeout=0.3)

    run_async(scenario())


def test_unauthenticated_websocket_is_closed(run):
    async def scenario():
        _, connected, code = await connect(AnonymousUser(), run.pk)
        assert not connected and code == 4401

    run_async(scenario())


def test_instructor_of_the_course_may_watch_a_learners_run(run):
    instructor = instructor_of(run.course)

    async def scenario():
        communicator, connected, _ = await connect(instructor, run.pk)
        assert connected
        assert (await communicator.receive_json_from())["type"] == "history"
        await communicator.disconnect()

    run_async(scenario())


def test_nonexistent_run_is_refused(learner):
    async def scenario():
        _, connected, code = await connect(learner, 987654)
        assert not connected and code == 4403

    run_async(scenario())


def test_bad_client_messages_get_an_error_and_keep_the_connection(run):
    async def scenario():
        communicator, connected, _ = await connect(run.owner, run.pk)
        await communicator.receive_json_from()
        for bad in ["not json", '{"type": "drop_tables"}', "[1, 2]", "x" * 10_000]:
            await communicator.send_to(text_data=bad)
            reply = await communicator.receive_json_from()
            assert reply["type"] == "error" and reply["message"]
        await communicator.send_to(bytes_data=b"\x00\x01")
        assert (await communicator.receive_json_from())["type"] == "error"
        await communicator.send_json_to({"type": "ping"})
        assert await communicator.receive_json_from() == {"type": "pong"}
        await communicator.disconnect()

    run_async(scenario())


def test_foreign_origin_is_refused_by_the_production_stack(run):
    app = AllowedHostsOriginValidator(AuthMiddlewareStack(application()))

    async def scenario():
        communicator = WebsocketCommunicator(app, f"/ws/runs/{run.pk}/", headers=[(b"origin", b"http://evil.example"), (b"host", b"localhost")])
        connected, _ = await communicator.connect()
        assert not connected

    run_async(scenario())
