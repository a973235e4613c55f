"""A playlist sent to the Telegram bot reads no other file: with a local Bot API server
(TELEGRAM_LOCAL_MODE) the bot reads each file in place, where the server keeps it under its
folder and a number in sequence, with the sender's extension (`music/file_2.m3u8`). A member's
"song" listing its neighbours (`file_1.ogg`, guessed) would have the bot transcribe Ann's
private audio into the member's group. Real python-telegram-bot, ffmpeg and SQLite against the
Bot API stand-in in local mode."""

from __future__ import annotations

from pathlib import Path

from bots.telegram.telegram_wording import text
from tests.integration.conftest import running, settings_for
from tests.integration.test_telegram_summaries import next_reply
from tests.playlists import SECRET, concat_list, hls_playlist, private_recording
from tests.standins.mimo import FakeMimo
from tests.standins.telegram_api import FakeBotApi

ANN, BOB = 21, 22
GROUP = -1001555
GUESSES = range(1, 6)  # the server numbers its files: a list names several, the missing skipped


async def test_a_playlist_sent_to_a_local_server_reads_none_of_its_neighbours(
    mimo: FakeMimo, sqlite_url: str, tmp_path: Path
) -> None:
    private = private_recording(tmp_path).read_bytes()
    playlist = hls_playlist(tmp_path / "song.m3u8", *(f"file_{n}.ogg" for n in GUESSES))
    listing = concat_list(tmp_path / "list", *(f"file_{n}.ogg" for n in GUESSES))
    async with FakeBotApi(local_mode=True) as local_api:
        settings = settings_for(
            bot_api=local_api, mimo=mimo, database_url=sqlite_url, telegram_local_mode=True
        )
        async with running(settings, local_api):
            local_api.push(local_api.audio_message(
                chat_id=ANN, user_id=ANN, data=private, file_name="memo.ogg",
                mime_type="audio/ogg",
            ))  # fmt: skip
            await local_api.wait_for_texts(ANN, [SECRET])  # her own, in her private chat
            for count, (sent, name) in enumerate(
                ((playlist, "song.m3u8"), (listing, "song.ogg")), start=1
            ):
                local_api.push(local_api.audio_message(
                    chat_id=GROUP, user_id=BOB, data=sent.read_bytes(), file_name=name,
                    chat_type="supergroup",
                ))  # fmt: skip
                await local_api.wait_until(  # the refusal, where "Transcribing…" was
                    lambda count=count: (
                        len(local_api.texts(GROUP)) == count
                        and "Transcribing…" not in local_api.texts(GROUP)
                    )
                )
            replies = local_api.texts(GROUP)
            local_api.push(local_api.text_message(
                chat_id=GROUP, user_id=BOB, text="/find safe", chat_type="supergroup"
            ))  # fmt: skip
            found = await next_reply(local_api, GROUP)

    assert replies == [text("error.undecodable_audio", "en")] * 2
    assert len(mimo.calls("mimo-v2.5-asr")) == 1  # Ann's memo alone reached MiMo
    assert found.startswith("Nothing I kept here")
    assert not any(SECRET in said for said in local_api.texts(GROUP))
