"""The SSE fan-out follows the log only while someone listens, and resumes without gaps."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from stoat.commands.projects import create_project
from stoat.domain.context import system_context

if TYPE_CHECKING:
    from stoat.runtime import Runtime


def test_the_broadcaster_follows_only_while_someone_listens(runtime: Runtime) -> None:
    broadcaster = runtime.services.broadcaster
    app = runtime.services.app

    async def create(name: str) -> None:
        context = system_context("test")
        await asyncio.to_thread(create_project, app, name=name, output={}, context=context)

    async def next_name(queue: asyncio.Queue[dict[str, Any] | None]) -> str:
        document = await asyncio.wait_for(queue.get(), 10)
        assert document is not None
        return str(document["data"]["name"])

    def following() -> bool:
        # A call, not the property itself: mypy would keep the first assert's narrowing.
        return broadcaster.following

    async def scenario() -> None:
        assert not following()
        first = broadcaster.subscribe()
        assert following()
        await create("heard")
        assert await next_name(first.queue) == "heard"

        broadcaster.unsubscribe(first)
        await create("unheard")  # the next event finds nobody: the thread goes quiet
        deadline = time.monotonic() + 10
        while following():
            assert time.monotonic() < deadline, "the broadcaster kept following"
            await asyncio.sleep(0.01)
        await create("while quiet")

        second = broadcaster.subscribe()
        await create("heard again")
        assert await next_name(second.queue) == "heard again"
        broadcaster.unsubscribe(second)

    asyncio.run(scenario())
