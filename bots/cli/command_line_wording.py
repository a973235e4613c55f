"""What only the command line says: its failures, in one line each. What the bots say too (an
unreadable recording, MiMo unavailable) comes from the core's catalogue (`core.chat.message_catalogue`),
which this one extends: the same keys, the same lookup, the same translation files.

The command line speaks the language of the shell's locale, read as gettext reads it (the first
of LANGUAGE, LC_ALL, LC_MESSAGES and LANG that is set: `de_DE.UTF-8`, `zh_CN:en`), and English
where that is a language we lack (`C`, `POSIX`).
"""

from __future__ import annotations

import os

from core.chat.answer_languages import DEFAULT_LOCALE, resolve_locale
from core.chat.i18n import Plural, Source
from core.chat.message_catalogue import CORE

__all__ = ["EN", "shell_locale", "text"]

_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

EN: dict[str, Source] = {
    "cli.unreadable": "{path}: {reason}",
    "cli.unwritable": "cannot write {path}: {reason}",
    "cli.mimo_auth": "MiMo refused the API key: check MIMO_API_KEY, and that MIMO_BASE_URL is the host it belongs to (Token Plan keys have regional hosts).",
    "cli.mimo_balance": "The MiMo account's balance is used up: top it up, then try again.",
    "cli.mimo_unreachable": "cannot reach MiMo at {url} ({reason}): check the network and MIMO_BASE_URL.",
    "cli.missing_parts": "{stretches} could not be transcribed; the transcript marks where.",
    "cli.progress": "{done} of {total} · pieces done: {pieces}",
    "cli.progress_left": " · {left} left",
    "cli.see_help": "{line} (see {command} --help)",
    "cli.unexpected": "unexpected error ({error}); run with -v to see where.",
    "cli.stdin_once": "- (standard input) can be read only once.",
    "cli.stdin_needs_folder": "standard input has no folder to write its transcripts next to: name an --output-dir.",
    "cli.same_output": "{first} and {second} would both be written to {path}.",
    "cli.output_is_input": "{path} is an input; it would be overwritten.",
    "cli.audio_extension": "{path}: the extension chooses the format: .ogg or .opus (OGG/Opus), .mp3 or .wav.",
    "cli.no_output": "name the file to write with -o (hi.ogg, hi.mp3 or hi.wav), or pipe the audio to another command.",
    "cli.both_on_stdout": "the audio and the subtitles cannot both go to standard output.",
    "cli.no_text": "give the text to speak, or - to read it from standard input.",
    "cli.no_question": "give the question to ask about the recording.",
    "cli.voiceclone": "{model} speaks in a voice cloned from a recording, which the command line does not keep; choose another --model.",
    "cli.import_found": "{name} ({chat}): voice messages to transcribe: {count}, {minutes} of speech.",
    "cli.import_kept_before": "Kept already, not transcribed again: {count}.",
    "cli.import_too_old": Plural(
        "Older than the retention window of {days} day, so not imported: {count}. SUMMARY_RETENTION_DAYS sets the window (in .env or the environment): if raised, it keeps what every chat said that much longer.",
        "Older than the retention window of {days} days, so not imported: {count}. SUMMARY_RETENTION_DAYS sets the window (in .env or the environment): if raised, it keeps what every chat said that much longer.",
        count="days",
    ),
    "cli.import_left_out": "Of people who asked not to be transcribed, left out: {count}.",
    "cli.import_not_included": "Recordings the export does not hold (not downloaded with it), skipped: {count}. To have them, export again with voice messages and round video messages ticked, and import the new folder.",
    "cli.import_too_big": "Recordings over the export's size limit, skipped: {count}. To have them, export again with the size limit raised in the export's settings.",
    "cli.import_unavailable": "Recordings Telegram could not hand over during the export, skipped: {count}. To have them, export again later.",
    "cli.import_forwarded_unknown": "Forwarded voice messages whose speaker the export does not identify, left out: {count}. They are never kept under the name of whoever forwarded them.",
    "cli.import_local_time": "The export's dates carry no time zone (an export from before 2022 writes the exporting computer's local time): they are read as {zone} time; --timezone names another, such as Europe/Berlin. First message: {first}; last: {last}.",
    "cli.import_zone_given": "The export's dates carry no time zone (an export from before 2022 writes the exporting computer's local time): they are read as {zone} time, as --timezone says. First message: {first}; last: {last}.",
    "cli.import_bad_zone": "--timezone {zone}: no such time zone: give its name in the time zone database, such as Europe/Berlin.",
    "cli.import_chats": "The export holds a whole account's chats ({count}): name the one to import with --chat, by its id or its title:",
    "cli.import_chats_none": "No chat in the export has the id or title {chat}: name one of these with --chat:",
    "cli.import_chats_several": "Several chats in the export have the title {chat}: name one of these by its id with --chat:",
    "cli.import_chat": "{name} (id {id}): voice messages: {count}",
    "cli.import_outside": "Files the export names outside its folder, not read: {files}.",
    "cli.import_quota": "That is {share} of the chat's daily audio quota of {limit} ({left} left today); past it, the import waits for the next day.",
    "cli.import_no_quota": "The chat has no daily audio quota.",
    "cli.import_budget": "It is {share} of the bot's daily audio budget of {limit} ({left} left today).",
    "cli.import_no_budget": "The bot has no daily audio budget.",
    "cli.import_folders_missing": "{path}: the folders its {result} names the recordings in ({folders}) are not next to it, so none of them can be found: copy the whole folder Telegram Desktop exported, {result} with its folders, and import that.",
    "cli.import_not_a_number": "{result}: it holds {value}, a number no Telegram export holds: export the chat again with Telegram Desktop.",
    "cli.import_bad_chat_id": "{result}: the chat's id is {value}, and a Telegram id is a whole number of at most 16 digits: give the chat's id with --chat-id.",
    "cli.import_bad_message_id": "{result}: the message at position {number} in the file has the id {value}, and a Telegram id is a whole number of at most 16 digits: export the chat again with Telegram Desktop.",
    "cli.import_bad_sender": "{result}: message {message}: {field} is {value}, and Telegram names a sender as user or channel followed by a whole number of at most 16 digits: export the chat again with Telegram Desktop.",
    "cli.import_which": "name what to import: {command} telegram FOLDER imports the folder of a Telegram Desktop export",
    "cli.import_texts": "Text messages to keep for /summary: {count}.",
    "cli.import_texts_kept": "Text messages kept for /summary: {count}.",
    "cli.import_ask": "Start the import?",
    "cli.import_declined": "Not started: nothing was transcribed or kept.",
    "cli.import_no_answer": "no answer to the question: run it again with --yes to start without asking.",
    "cli.import_nothing": "Nothing to import.",
    "cli.import_forgotten": "The chat was forgotten (/forget) while it was imported: the import stopped, and nothing it heard is kept.",
    "cli.import_paused": "The day's audio quota or budget is used up: the import waits for the next UTC day (in {wait}). You may stop it with Ctrl-C and run the same command again later: it carries on where it stopped.",
    "cli.import_done": "Voice messages imported: {count} ({minutes} of speech); could not be transcribed: {failed}.",
    "cli.import_elsewhere": "Transcribed by another import of this chat running at the same time: {count}.",
    "cli.import_label": "Importing",
    "cli.import_progress": "{done} of {total} messages · {minutes} of {of}",
    "cli.voicedesign": "{model} speaks in a voice you describe: give the description with --style.",
    "cli.style_too_long": Plural(
        "--style is {length} character long; the limit is {limit}.",
        "--style is {length} characters long; the limit is {limit}.",
        count="length",
    ),
    # The bots' sentences that speak as the bot in a chat ("I could not..."), in the command
    # line's own words (`bots.cli.exit_code_per_failure`, `bots.cli.memory.find_command`).
    "cli.audio": "ffmpeg could not process the audio.",
    "cli.undecodable_audio": "The file cannot be read as audio: is it damaged, or in a format ffmpeg does not read?",
    "cli.too_long_to_ask": "The recording is too long to ask about: MiMo hears at most about {limit} of audio in one question.",
    # Over a limit of the settings ({setting}), which the command line's user sets.
    "cli.text_too_long": Plural(
        "The text is {length} character long; {setting} allows {limit}.",
        "The text is {length} characters long; {setting} allows {limit}.",
        count="length",
    ),
    "cli.audio_too_long": "The recording is longer than {setting} allows ({limit}).",
    "cli.file_too_large": "The file is larger than {setting} allows ({limit}).",
    "cli.no_speech": "No speech was heard in the recording.",
    "cli.mimo_circuit_open": "MiMo failed several times in a row, so it is left alone for a while: try again in about {wait}.",
    "cli.mimo_bad_response": "MiMo sent an answer that cannot be used: try again.",
    "cli.mimo_model_refused": "MiMo no longer accepts the model {model}: set {setting} to a model it offers (voicebridge doctor tries each).",
    "cli.find_no_words": "give the words to find in the chat's kept transcripts.",
    "cli.find_number_as_option": "{number} is read as an option: name the chat with its platform, telegram:{number}",
    "cli.find_none": Plural(
        "Nothing kept from this chat in the last {days} day has “{words}”: the bot keeps the transcripts of voice notes, recordings and calls for {days} day (SUMMARY_RETENTION_DAYS).",
        "Nothing kept from this chat in the last {days} days has “{words}”: the bot keeps the transcripts of voice notes, recordings and calls for {days} days (SUMMARY_RETENTION_DAYS).",
        count="days",
    ),
}

_CATALOGUE = CORE.extended(EN)


def text(key: str, /, **params: object) -> str:
    """The sentence for `key` in the shell's language (`shell_locale`)."""
    return _CATALOGUE.text(key, shell_locale(), **params)


def shell_locale() -> str:
    """One of our locales for the shell's locale settings, or English. Only the first variable
    that is set counts, as in gettext: LC_ALL=C means English even when LANG says otherwise."""
    setting = next((os.environ[name] for name in _LOCALE_VARIABLES if os.environ.get(name)), "")
    for tag in setting.split(":"):  # LANGUAGE is a list, best first
        found = resolve_locale(tag.split(".")[0].split("@")[0])  # zh_CN.UTF-8, sr_RS@latin
        if found is not None:
            return found
    return DEFAULT_LOCALE
