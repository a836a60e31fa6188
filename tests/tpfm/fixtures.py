"""Shared helpers for the TPFM client and parser tests."""

from __future__ import annotations

import asyncio
import base64
import socket
from typing import Self

# The three sample lines of the spec's GetJobList answer, re-joined (the document wraps them).
SPEC_JOB_LINES = (
    (
        "2022-10-12_07.47.31_1fd4e6b9-44d1-4964-8f1e-e656978d3e79_9dce68fe-0814-4b74-a6c0-"
        'b2ae73fe6190_19cf8e9a-aa6b-4086-aad4-bbd9cef15810:11993:1665560851:1665560851:0:0:"on'
        'e_char.docx":" "'
    ),
    (
        "2022-10-12_07.48.19_7984b5ef-0169-4bf1-b7f6-07e30100886c_9dce68fe-0814-4b74-a6c0-"
        "b2ae73fe6190_19cf8e9a-aa6b-4086-aad4-bbd9cef15810:4632133:1665560899:1665560899:0:0:"
        '"Polarlicht_2.png":" "'
    ),
    (
        "2022-10-12_07.48.37_416bdc49-337e-4e54-9dad-3189578b0491_9dce68fe-0814-4b74-a6c0-"
        "b2ae73fe6190_19cf8e9a-aa6b-4086-aad4-bbd9cef15810:100117:1665560917:1665560917:0:0:"
        '"bittetesten.pdf":" "'
    ),
)


def b64(text: str) -> str:
    """Base64 of UTF-8 text, as the server sends X-FMP-ErrText."""
    return base64.b64encode(text.encode()).decode("ascii")


def job_line(
    file_name: str,
    *,
    size: int = 1234,
    created: int = 1665560851,
    modified: int = 1665560851,
    attributes: int = 0,
    job_id: str = "0",
    display: str = "",
    driver: str = " ",
) -> str:
    """Build one GetJobList line the way the server writes it (names quoted, not escaped)."""
    return f'{file_name}:{size}:{created}:{modified}:{attributes}:{job_id}:"{display}":"{driver}"'


class RawServer:
    """A 127.0.0.1 server that answers every request with the same hand-written bytes.

    For answers the simulator never gives (odd stream contents, a broken trailer,
    a missing ProcId). With ``hang`` the server keeps the connection open after writing.
    """

    def __init__(self, response: bytes, *, hang: bool = False) -> None:
        self.response = response
        self.hang = hang
        self.requests: list[bytes] = []
        self._server: asyncio.Server | None = None
        self._release = asyncio.Event()
        self.url = ""

    async def _handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            self.requests.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(self.response)
            await writer.drain()
            if self.hang:
                await self._release.wait()
        except ConnectionError, asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._release.set()
        assert self._server is not None
        self._server.close()
        async with asyncio.timeout(2):
            await self._server.wait_closed()


def http_head(*headers: str, status: str = "200 OK") -> bytes:
    """An HTTP/1.1 response head with the given header lines."""
    return ("\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n").encode()


def chunk(data: bytes) -> bytes:
    """One HTTP chunk."""
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
