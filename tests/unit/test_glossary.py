"""Each language says one idea with one word and keeps one register, as its glossary
(`core/chat/locales/GLOSSARY.md`) says: the variants the glossary rejects appear in no
translation, and every translation keeps the English's placeholders and command words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from core.chat.i18n import DOMAIN, LOCALE_DIR, po_path
from core.chat.languages import DEFAULT_LOCALE, LOCALES

TRANSLATED = [locale for locale in LOCALES if locale != DEFAULT_LOCALE]
GLOSSARY = LOCALE_DIR / "GLOSSARY.md"
_SINGLE_ELLIPSIS = r"(?<!…)…(?!…)"
# What each glossary rejects, as regular expressions: a variant of a chosen word, a form of
# the other register, a punctuation habit of another language.
REJECTED: dict[str, dict[str, str]] = {
    "zh_Hans": {
        "转文字": "transcribe is 转写, a transcript 文字稿",
        "转写稿": "a transcript is 文字稿",
        "转录": "transcribe is 转写",
        "圆形视频": "a round video is 视频消息",
        "专属声音|克隆的声音|设计的声音": "a voice of the bot is 音色",
        "主人": "the operator is 机器人管理者",
        "慢一点": "too many requests is 操作太频繁",
        "您": "the register is 你",
        _SINGLE_ELLIPSIS: "Chinese writes ……",
    },
    "zh_Hant": {
        "轉寫|轉文字": "transcribe is 轉錄, a transcript 逐字稿",
        "圓形影片": "a round video is 影片訊息",
        "保存": "save is 儲存",
        "本聊天": "this chat is 此聊天",
        "連接": "the Business connection is 連結, a network connection 連線",
        "主人": "the operator is 機器人擁有者",
        "慢一點": "too many requests is 操作太頻繁",
        "您": "the register is 你",
        "“|”": "quotation marks are 「」",
        _SINGLE_ELLIPSIS: "Chinese writes ……",
    },
    "ja": {
        "複製": "clone is クローン",
        r"[^\x00-\x7f]:": "a colon after Japanese text is full-width (：)",
    },
    "ko": {
        "받아쓰": "transcribe is 텍스트로 변환, a transcript 녹취록",
        "변환 텍스트|변환된 텍스트": "a transcript is 녹취록",
        "동그란 영상": "a round video is 동영상 메시지",
        "당신": "the reader is addressed without 당신",
        "습니다|십시오": "the register is 해요체",
    },
    "ru": {
        r"Работаю на\b": "powered by is «с помощью»",
        r"\b[Тт]ы\b|\b[Тт]еб[яе]\b|\b[Тт]во[йяеи]": "the register is вы",
    },
    "uk": {
        r"Працюю на\b": "powered by is «за допомогою»",
        r"\b[Тт]и\b|\b[Тт]об[іою]\b|\b[Тт]во[їяєй]": "the register is ви",
    },
    "es": {
        r"\b[Nn]otas? de voz\b": "a voice message is mensaje de voz",
        r"\bvídeos?\b": "video, as Latin American Spanish writes it",
        r"\bcuotas?\b": "a quota is límite diario",
        r"\busted\b|\bsu chat\b": "the register is tú",
    },
    "pt_BR": {
        r"\b[Nn]otas? de voz\b": "a voice message is mensagem de voz",
        r"vídeos? redondos?": "a round video is mensagem de vídeo",
        r"\bcotas?\b": "a quota is limite diário",
        r"\b[Tt]u\b|\b[Tt]eu\b|\b[Tt]ua\b": "the register is você",
    },
    "de": {
        r"\bAdmins?\b": "an administrator is Administrator",
        r"\bKontingent": "a quota is Tageslimit",
        r"\bIhnen\b|\bIhre?[mnrs]?\b|Sie es\b|\bSie bitte\b": "the register is du",
    },
    "fr": {
        r"\b[Tt]u\b|\b[Tt]e\b|\b[Tt]es\b|\b[Tt]on\b|\b[Tt]a\b|\b[Tt]oi\b|\bt'|-toi\b": "vous",
        r"\bnotes? vocales?\b": "a voice message is message vocal",
        r"\bquotas?\b": "a quota is limite quotidienne",
        r"(?<=[^\s(/])[:;!?](?=\s|$)": "a space before : ; ! ?",
    },
    "id": {
        r"\b[Aa]nda\b|\b[Ss]aya\b": "the register is aku / kamu",
        r"\bkuota\b": "a quota is batas harian",
        r"\bcatatan suara\b": "a voice message is pesan suara",
    },
}
# Option names a language writes as English does (French "question", German "name").
SHARED: dict[str, set[str]] = {
    "de": {"format", "text", "name", "status"},
    "fr": {"format", "question", "description", "minutes"},
    "id": {"format"},
}
PLACEHOLDER = re.compile(r"\{\w*\}")
COMMAND = re.compile(r"(?<![\w/.])/[a-z_]+")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def forms(message: Message) -> list[str]:
    string = message.string
    return [string] if isinstance(string, str) else list(string or [""])


def sources(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def test_every_language_has_a_glossary_and_a_table() -> None:
    written = GLOSSARY.read_text("utf-8")
    assert sorted(REJECTED) == sorted(TRANSLATED)
    assert all(f"({locale})" in written for locale in TRANSLATED)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_translation_uses_a_word_the_glossary_rejects(locale: str) -> None:
    found = []
    for message in read(po_path(locale), locale):
        if not message.id:
            continue
        for form in forms(message):
            for pattern, why in REJECTED[locale].items():
                for hit in re.finditer(pattern, form):
                    found.append(f"{message.context}: {hit.group()!r} ({why})")
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_translation_keeps_the_english_placeholders_and_commands(locale: str) -> None:
    """What the reader must type or the code fills in is the English's, in every form."""
    lost = []
    for message in read(po_path(locale), locale):
        if not message.id:
            continue
        english = " ".join(sources(message))
        for form in forms(message):
            for word in {*PLACEHOLDER.findall(english), *COMMAND.findall(english)}:
                if word not in form:
                    lost.append(f"{message.context}: {word}")
    assert lost == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_discord_options_are_named_in_every_language(locale: str) -> None:
    """The decision docs/contributing/translating.md states: Discord's command names stay
    English everywhere, and their options are named in the reader's language in every language,
    none left behind."""
    template = {str(m.context): sources(m)[0] for m in read(LOCALE_DIR / f"{DOMAIN}.pot") if m.id}
    catalog = {str(m.context): forms(m)[0] for m in read(po_path(locale), locale) if m.id}
    commands = [k for k in template if k.startswith("discord.command.") and k.endswith(".name")]
    assert [k for k in commands if catalog[k] != template[k]] == []
    options = [k for k in template if k.startswith("discord.option.") and k.endswith(".name")]
    english = [k for k in options if catalog[k] == template[k]]
    assert [k for k in english if template[k] not in SHARED.get(locale, set())] == []
