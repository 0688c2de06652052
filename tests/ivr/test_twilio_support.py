"""Constants shared by the Twilio tests (a plain module: ``conftest`` names are ambiguous)."""

PUBLIC = "https://locatel.example.mx"
TOKEN = "test-auth-token"
ACCOUNT = "AC" + "1" * 32


async def until(predicate, seconds: float = 5.0) -> None:  # noqa: ANN001
    """Wait until ``predicate()`` holds (work done by jobs or consumers in the background)."""
    import asyncio

    for _ in range(int(seconds / 0.02)):
        if predicate():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")
