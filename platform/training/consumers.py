"""Websocket: ``/ws/runs/<id>/`` streams one run's progress to its page."""

from __future__ import annotations

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .selectors import run_get_for_user, run_history

MAX_CLIENT_MESSAGE_BYTES = 4096
CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def _history_for(user, run_id):
    run = run_get_for_user(user, run_id)
    return None if run is None else run_history(run)


class RunConsumer(AsyncJsonWebsocketConsumer):
    """Permission is checked before the socket joins the run's group: a refused client never
    receives a single event. On connect the client gets the history, then live messages."""

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        run_id = self.scope["url_route"]["kwargs"]["run_id"]
        allowed = await database_sync_to_async(run_get_for_user)(user, run_id)
        if allowed is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group_name = f"run-{allowed.pk}"
        # Join first, then read history: an event published in between arrives twice at worst
        # (the page de-duplicates epochs by number), never zero times.
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        history = await database_sync_to_async(_history_for)(user, run_id)
        await self.send_json(history)

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        if text_data is None or len(text_data.encode("utf-8")) > MAX_CLIENT_MESSAGE_BYTES:
            await self.send_json({"type": "error", "message": "Messages must be JSON text of at most 4 KiB."})
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.send_json({"type": "error", "message": "That message is not valid JSON."})
            return
        if not isinstance(message, dict) or message.get("type") not in {"ping"}:
            await self.send_json({"type": "error", "message": "Unknown message; the only message a client sends is {\"type\": \"ping\"}."})
            return
        await self.send_json({"type": "pong"})

    async def run_event(self, event: dict) -> None:
        await self.send_json(event["event"])
