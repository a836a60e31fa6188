"""What the simulated TPFM server and the simulated printer share: start and stop."""

from abc import ABC, abstractmethod
from typing import Self


class LocalServer(ABC):
    """A local server that ``async with`` starts on a free 127.0.0.1 port and stops."""

    @abstractmethod
    async def start(self) -> str:
        """Listen on a free 127.0.0.1 port and return the base URL."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop listening and close connections."""

    async def __aenter__(self) -> Self:
        """Start on a free 127.0.0.1 port."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop."""
        await self.stop()
