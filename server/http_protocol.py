"""uvicorn's HTTP protocol, letting go of itself once it has handed a connection over
to the websocket protocol.

Its request parser calls back into it through six bound methods, so the two hold each
other: a reference cycle. A connection that ends as HTTP breaks it (uvicorn drops the
parser when the connection is lost), but one upgraded to a websocket never loses its
connection as HTTP, and its protocol, parser, request scope and headers, two dozen
objects, waited for the cycle collector. In a connection storm that was all the
garbage the collector found. Dropping the parser once the websocket protocol has the
transport lets them go at once.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class LeanHttpProtocol(HttpToolsProtocol):
    def handle_websocket_upgrade(self) -> None:
        super().handle_websocket_upgrade()
        # The transport now calls the websocket protocol; nothing calls this one again.
        self.parser = None  # type: ignore[assignment]
