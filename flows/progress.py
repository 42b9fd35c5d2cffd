"""Progress events from a flow run to whoever watches it in this process (the CLI's bar).

Flow parameters must be plain values, so the watcher is registered here instead of
being passed in. With nobody watching, events cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Event = Literal["files", "pages", "page_done", "file_done"]
Listener = Callable[[Event, int], None]

_listeners: list[Listener] = []


def watch(listener: Listener) -> Callable[[], None]:
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


def emit(event: Event, amount: int = 1) -> None:
    for listener in list(_listeners):
        listener(event, amount)
