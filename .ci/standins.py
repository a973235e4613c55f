"""The far ends of the bot in the image, for .ci/image: the tests' loopback stand-ins of the
Telegram Bot API and of MiMo (tests/standins), run from the checkout's virtual environment.

It prints the settings that point a bot at them (NAME=VALUE, one a line, then `ready`), waits
for the bot to poll, sends it a voice note of 3 seconds from a person, waits for its transcript
(MiMo's stand-in answers `heard 3.0 seconds`: the audio the bot's ffmpeg made of it) to come
back in that chat, prints `answered: TEXT` and waits until its standard input closes. Without an
answer within the time given (first argument, seconds), it says what the chat read and exits 1.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from tests.audio_factory import make_audio
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

PERSON = 4242


async def main(seconds: float) -> int:
    async with FakeMimo() as mimo, FakeBotApi() as bot_api:
        for line in (
            f"MIMO_API_KEY={mimo.api_key}",
            f"MIMO_BASE_URL={mimo.base_url}",
            f"TELEGRAM_BOT_TOKEN={bot_api.token}",
            f"TELEGRAM_API_URL={bot_api.root}",
            "ready",
        ):
            print(line, flush=True)

        def transcribed() -> bool:
            return any(text.startswith("heard ") for text in bot_api.texts(PERSON))

        with tempfile.TemporaryDirectory() as folder:
            note = make_audio(Path(folder), fmt="ogg", seconds=3).read_bytes()
        try:
            async with asyncio.timeout(seconds):
                await bot_api.wait_for("getUpdates", timeout=seconds)
                bot_api.push(bot_api.voice_message(chat_id=PERSON, user_id=PERSON, data=note))
                await bot_api.wait_until(transcribed, timeout=seconds)
        except (TimeoutError, AssertionError):
            print(f"no answer in {seconds:g} s; the chat reads {bot_api.texts(PERSON)}", flush=True)
            return 1
        print(f"answered: {bot_api.texts(PERSON)[-1]}", flush=True)
        await asyncio.to_thread(sys.stdin.read)  # until .ci/image is done with them
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 120.0)))
