"""The managers' index of each socket's rooms stays in step with python-socketio's own
rooms: entering, leaving, closing a room and disconnecting leave both describing the
same memberships, and a disconnect leaves nothing of the socket behind."""

from __future__ import annotations

from typing import Any

import socketio

from realtime.managers import LocalManager


def _manager() -> LocalManager:
    manager = LocalManager()
    socketio.AsyncServer(client_manager=manager)
    return manager


def _memberships(manager: LocalManager, namespace: str) -> set[tuple[str, Any]]:
    """(sid, room) for every membership python-socketio holds, the all-sockets room aside."""
    rooms = manager.rooms.get(namespace, {})
    return {(sid, name) for name, room in rooms.items() if name is not None for sid in room}


def _indexed(manager: LocalManager, namespace: str, sids: list[str]) -> set[tuple[str, Any]]:
    return {(sid, room) for sid in sids for room in manager.get_rooms(sid, namespace)}


async def test_the_index_follows_every_way_in_and_out_of_a_room() -> None:
    manager = _manager()
    ns = "/poker"
    sids = [await manager.pre_connect(f"eio{i}", ns) for i in range(6)]
    for sid in sids:
        await manager.connect(sid, ns)
        await manager.enter_room(sid, ns, "poker:ROOM1" if sid in sids[:3] else "poker:ROOM2")
        await manager.enter_room(sid, ns, f"token:{sid}")
    assert _indexed(manager, ns, sids) == _memberships(manager, ns)
    assert set(manager.get_rooms(sids[0], ns)) == {sids[0], "poker:ROOM1", f"token:{sids[0]}"}

    await manager.leave_room(sids[1], ns, "poker:ROOM1")
    await manager.close_room("poker:ROOM2", ns)
    assert _indexed(manager, ns, sids) == _memberships(manager, ns)
    assert "poker:ROOM2" not in manager.rooms[ns]

    for sid in sids[:4]:
        manager.pre_disconnect(sid, ns)
        await manager.disconnect(sid, ns)
    assert _indexed(manager, ns, sids) == _memberships(manager, ns)
    assert all(manager.get_rooms(sid, ns) == [] for sid in sids[:4])
    assert not manager.is_connected(sids[0], ns)
    assert manager.is_connected(sids[5], ns)
    assert "poker:ROOM1" not in manager.rooms[ns]
    assert ns not in manager.pending_disconnect

    for sid in sids[4:]:
        await manager.disconnect(sid, ns)
    assert ns not in manager.rooms
    assert manager._joined == {}


async def test_a_socket_that_leaves_while_connecting_is_forgotten() -> None:
    manager = _manager()
    sid = await manager.pre_connect("eio1", "/board")
    await manager.disconnect(sid, "/board")
    assert "/board" not in manager.pending_connect
    assert "/board" not in manager.rooms
    assert manager._joined == {}
