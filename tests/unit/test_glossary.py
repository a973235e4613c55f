"""Each language says one idea with one word and keeps one register, as its glossary
(`core/chat/locales/GLOSSARY.md`) says: the variants the glossary rejects appear in no
translation, and every translation keeps the English's placeholders and command words."""

from __future__ import annotations

import functools
import re

import pytest

from core.chat.answer_languages import DEFAULT_LOCALE, LOCALES
from core.chat.i18n import DOMAIN, LOCALE_DIR, po_path
from core.chat.message_catalogue import text
from core.domain.voices.speaking_style_rules import STYLE_PRESETS
from tests.unit.test_translations import forms, left_out, read, sources

TRANSLATED = [locale for locale in LOCALES if locale != DEFAULT_LOCALE]
GLOSSARY = LOCALE_DIR / "GLOSSARY.md"
_SINGLE_ELLIPSIS = r"(?<!…)…(?!…)"
# French spaces that break a line before : ; ! ? » or after «, or the one of the other width.
_FRENCH_SPACE = "[ \u202f]:|[ \u00a0][;!?]|[ \u202f]»|«[ \u202f]"
# "голосовое" alone, for голосовое сообщение (the speech service and voice channels are fine).
_SHORT_VOICE_MESSAGE = {
    "ru": r"[Гг]олосов(?:ое|ые|ых|ым|ыми|ого|ому)\b(?! сообщ| сервис| канал| подключ)",
    "uk": r"[Гг]олосов(?:е|і|их|им|ими|ого|ому)\b(?! повідом| сервіс| канал| з’єдн)",
}
# What each glossary rejects, as regular expressions: a variant of a chosen word, a form of
# the other register, a punctuation habit of another language.
REJECTED: dict[str, dict[str, str]] = {
    "zh_Hans": {
        "转文字|转成文字": "transcribe is 转写, a transcript 文字稿",
        "转写稿": "a transcript is 文字稿",
        "转录": "transcribe is 转写",
        "圆形视频": "a round video is 视频消息",
        "专属声音|克隆的声音|设计的声音|默认声音|聊天的声音": "a voice of the bot is 音色",
        "摘要": "a summary is 总结",
        "附上翻译": "the translation attached is 译文",
        "主人": "the operator is 机器人管理者",
        "慢一点": "too many requests is 操作太频繁",
        "您": "the register is 你",
        "文本频道": "a text channel is 文字频道",
        "(?<![\u4e00-\u9fff])转写[：:]": "转写 is only the verb: what a label names is 文字稿",
        "(?m)^翻译[（(：:]": "a translation shown as text is 译文",
        _SINGLE_ELLIPSIS: "Chinese writes ……",
    },
    "zh_Hant": {
        "轉寫|轉文字|轉成文字": "transcribe is 轉錄, a transcript 逐字稿",
        "轉錄語言": "the transcript language is 逐字稿語言",
        "附上翻譯": "the translation attached is 譯文",
        "圓形影片": "a round video is 影片訊息",
        "保存": "save is 儲存",
        "本聊天": "this chat is 此聊天",
        "連接": "the Business connection is 連結, a network connection 連線",
        "主人": "the operator is 機器人擁有者",
        "慢一點": "too many requests is 操作太頻繁",
        "您": "the register is 你",
        "“|”": "quotation marks are 「」",
        "文本頻道": "a text channel is 文字頻道",
        "讀取訊息歷史": "Discord names Read Message History 讀取歷史訊息",
        "關鍵詞": "a keyword is 關鍵字, as Taiwan says it",
        "(?m)^翻譯[（(：:]": "a translation shown as text is 譯文",
        _SINGLE_ELLIPSIS: "Chinese writes ……",
    },
    "ja": {
        "複製": "clone is クローン",
        "音声チャンネル|ボイチャ": "a voice channel is ボイスチャンネル",
        "クローン音声": "a cloned voice is クローンした声 (音声 is audio)",
        "話された場所": "a spot in a recording is 箇所 (場所 is a place)",
        r"[^\x00-\x7f]:(?=\s|$)|[a-z}]: [^\x00-\x7f]": "a colon in Japanese is full-width (：)",
    },
    "ko": {
        "받아쓰": "transcribe is 텍스트로 변환, a transcript 녹취록",
        "변환 텍스트|변환된 텍스트": "a transcript is 녹취록",
        "동그란 영상": "a round video is 동영상 메시지",
        "당신": "the reader is addressed without 당신",
        r"습니다|십시오|니다(?=[\s.!?,)]|$)": "the register is 해요체",
        r"(?<=[\w\]]) (으로|로)(?=\s)": "a particle follows its word without a space",
        r"'(?=[가-힣{])": "quotation marks are “”",
        "웹훅|보이스 채널": "a webhook is 웹후크, a voice channel 음성 채널",
        r"녹취록를": "녹취록 takes 을",
        r"텍스트 변환 형식|[(（]자동 텍스트 변환,": "a transcript is 녹취록",
        r"(?<=\S) \(": "a parenthesis joins the word before it",
    },
    "ru": {
        r"Работаю на\b": "powered by is «с помощью»",
        r"\b[Тт]ы\b|\b[Тт]еб[яе]\b|\b[Тт]во[йяеи]": "the register is вы",
        _SHORT_VOICE_MESSAGE["ru"]: "a voice message is голосовое сообщение, in full",
        r"видеокружк|выжимк": "a round video is видеосообщение, the gist главное",
        r"Использование:": "a usage line starts «Как использовать:»",
        r"[Вв]еб-хук": "a webhook is вебхук",
        r"\b[Кк]лон(?:а|ом)?\b": "a cloned voice is клонированный голос",
    },
    "uk": {
        r"Працюю на\b": "powered by is «за допомогою»",
        r"\b[Тт]и\b|\b[Тт]об[іою]\b|\b[Тт]во[їяєй]": "the register is ви",
        _SHORT_VOICE_MESSAGE["uk"]: "a voice message is голосове повідомлення, in full",
        r"відеокружеч|стисл\w+ виклад": "a round video is відеоповідомлення, the gist головне",
        r"Використання:": "a usage line starts «Як використовувати:»",
        r"\b[Пп]итанн|ІМ.Я": "a question is запитання, a voice's name назва",
        r"(?<=\w)['ʼ](?=\w)": "the apostrophe is ’",
        r"[Вв]еб-хук": "a webhook is вебхук",
        r"\b[Кк]лон(?:а|ом)?\b": "a cloned voice is клонований голос",
        r"\b[Зз]а тим, що\b": "based on what is на основі того, що (за тим is Russian)",
    },
    "es": {
        r"\b[Nn]otas? de voz\b": "a voice message is mensaje de voz",
        r"\bvídeos?\b": "video, as Latin American Spanish writes it",
        r"\bcuotas?\b": "a quota is límite diario",
        r"\busted\b|\bsu chat\b": "the register is tú",
        r"\b[Aa]ñ[aá]d|\b(?:he|ha|han) \w+[ai]do\b|\bborr[éa]": "agregar, the preterite, eliminar",
        r"descripci[oó]n(?:es)? de (?:los )?archivos": "a caption is una leyenda",
        r"\bMDs?\b": "Discord's direct messages are mensajes directos",
        r"\b[Oo]mit": "skip is saltar",
        r"\bun(?:os|as) \{": "about an amount is aproximadamente {...}: «en unos 1 s» reads wrong",
    },
    "pt_BR": {
        r"\b[Nn]otas? de voz\b": "a voice message is mensagem de voz",
        r"vídeos? redondos?": "a round video is mensagem de vídeo",
        r"\bcotas?\b": "a quota is limite diário",
        r"\b[Tt]u\b|\b[Tt]eu\b|\b[Tt]ua\b|\bte\b": "the register is você",
        r"\bexclu": "delete is apagar",
        r"\bMDs?\b": "Discord's direct messages are mensagens diretas",
        r"\b[Ss]alt(?:ar|a|ei|ou)\b": "skip is pular",
        '"': "quotation marks are “”",
        r"\boff para isso\b": "off stops it: off desativa",
        r"\bda MiMo\b": "MiMo is masculine: do MiMo",
        r"(?<!ao qual )(?<!à qual )\bque você responder\b": "ao qual / à qual você responder",
        r"\breinício\b": "a restart is reinicialização",
    },
    "de": {
        r"\bAdmins?\b": "an administrator is Administrator",
        r"[Kk]ontingent": "a quota is Tageslimit",
        r"Kurzfassung": "the gist is das Wichtigste",
        r"\bDNs?\b": "Discord's direct messages are Direktnachrichten",
        r"Voice-?[Cc]hannel|Sprachchannel|Textchannel": "a channel is a Sprachkanal, Textkanal",
        r"\bIhnen\b|\bIhre?[mnrs]?\b|Sie es\b|\bSie bitte\b": "the register is du",
    },
    "fr": {
        r"\b[Tt]u\b|\b[Tt]e\b|\b[Tt]es\b|\b[Tt]on\b|\b[Tt]a\b|\b[Tt]oi\b|\b[Tt]’|-toi\b": "vous",
        r"(?m)\b[Tt]ien(?:ne)?s?\b|^(?:Indique|Choisis|Réponds|Envoie|Utilise|Ajoute)\b": "vous",
        r"(?<![{-])\bchat\b|\bconversation": "a Telegram chat is une discussion",
        r"\bMP\b": "Discord's direct messages are messages privés",
        r"\b[Cc]an(?:al|aux)\b|\bsalons? (?:de )?texte\b": "a salon, textuel or vocal",
        r"(?<=\w)'(?=\w)": "the apostrophe is ’",
        r"\bnotes? vocales?\b": "a voice message is message vocal",
        r"\bquotas?\b": "a quota is limite quotidienne",
        r"(?<=[^\s(/])[:;!?](?=\s|$)": "a space before : ; ! ?",
        _FRENCH_SPACE: "a no-break space (U+00A0) at : « », a narrow one (U+202F) at ; ! ?",
        r"l’heure de \{": "a time zone named is « dans le fuseau horaire {zone} »",
    },
    "id": {
        r"\b[Aa]nda\b|\b[Ss]aya\b": "the register is aku / kamu",
        r"\bkuota\b": "a quota is batas harian",
        r"\bcatatan suara\b": "a voice message is pesan suara",
        r"(?<![{-])\b[Cc]hat\b": "a chat is obrolan",
        r"klonmu|video bulat": "a cloned voice is suara kloningan, a round video pesan video",
        r"\bDMs?\b": "Discord's direct messages are pesan langsung",
        r"\b[Kk]anal\b|\b[Ll]inks?\b": "a channel is saluran, a link tautan",
        r"[Tt]ranskripsikan\b": "transcribe is mentranskripsi, ditranskripsi",
        r"[Ss]uara kloning\b": "a cloned voice is suara kloningan",
        r"menerjemahkan lisan": "interpret is menerjemahkan secara lisan",
        r"\b[Gg]alat\b": "an error is kesalahan",
        r"\b[Aa]ku pergi (selama|terlalu lama)\b": "away during a restart is tidak aktif",
    },
}
# Option names a language writes as English does (French "question", German "name").
SHARED: dict[str, set[str]] = {
    "de": {"format", "text", "name", "status"},
    "fr": {"format", "question", "description", "minutes"},
    "id": {"format"},
}
# Words the English writer's reader fills in (NAME, LANGUAGE...) that a language writes as
# English does, in capitals (German "/voice clone NAME", French "/ask QUESTION").
FILLED_IN_ALIKE: dict[str, set[str]] = {
    "de": {"NAME", "TEXT"},
    "fr": {"QUESTION", "DESCRIPTION", "MINUTES"},
    "id": {"FOLDER"},
}
# German separates a name from what it is with " — " (lists, help lines, the built-in voices),
# as every language does; in a running sentence its dash is "–".
LABELLED = ("voice.description.", "voices.own.", "discord.voice.own_", "help", "discord.help")
PLACEHOLDER = re.compile(r"\{\w*\}")
COMMAND = re.compile(r"(?<![\w/.])/[a-z_]+")
FILLED_IN = re.compile(r"\b[A-Z]{4,}\b")
OPTION_TYPED = re.compile(r"/([a-z_]+)((?: [^\s:]+:\S+)+)")


# Read once a process: some twenty tests a language read each catalogue.
read_once = functools.cache(read)


def test_every_language_has_a_glossary_and_a_table() -> None:
    written = GLOSSARY.read_text("utf-8")
    assert sorted(REJECTED) == sorted(TRANSLATED)
    assert all(f"({locale})" in written for locale in TRANSLATED)


@pytest.mark.parametrize("locale", TRANSLATED)
def test_no_translation_uses_a_word_the_glossary_rejects(locale: str) -> None:
    found = []
    for message in read_once(po_path(locale), locale):
        if not message.id:
            continue
        for form in forms(message):
            for pattern, why in REJECTED[locale].items():
                for hit in re.finditer(pattern, form):
                    found.append(f"{message.context}: {hit.group()!r} ({why})")
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_every_translation_keeps_the_english_placeholders_and_commands(locale: str) -> None:
    """What the reader must type or the code fills in is the English's, in every form (but
    the count a form for 1 alone says in words, where the English singular does)."""
    lost = []
    for message in read_once(po_path(locale), locale):
        if not message.id:
            continue
        english = " ".join(sources(message))
        for index, form in enumerate(forms(message)):
            wanted = {*PLACEHOLDER.findall(english), *COMMAND.findall(english)}
            for word in wanted - left_out(message, locale, index):
                if word not in form:
                    lost.append(f"{message.context}: {word}")
    assert lost == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_discord_options_are_named_in_every_language(locale: str) -> None:
    """The decision docs/contributing/translating.md states: Discord's command names stay
    English everywhere, and their options are named in the reader's language in every language,
    none left behind."""
    template = {
        str(m.context): sources(m)[0] for m in read_once(LOCALE_DIR / f"{DOMAIN}.pot") if m.id
    }
    catalog = {str(m.context): forms(m)[0] for m in read_once(po_path(locale), locale) if m.id}
    commands = [k for k in template if k.startswith("discord.command.") and k.endswith(".name")]
    assert [k for k in commands if catalog[k] != template[k]] == []
    options = [k for k in template if k.startswith("discord.option.") and k.endswith(".name")]
    english = [k for k in options if catalog[k] == template[k]]
    assert [k for k in english if template[k] not in SHARED.get(locale, set())] == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_an_option_is_named_alike_wherever_it_recurs(locale: str) -> None:
    """One word per idea: an option several commands take (`name` for /voice, /design_voice,
    /delete_voice and /myvoice; `allowed` for /voicetranslations and /read_me) has one name in
    each language, so a reader who learnt it once types it everywhere."""
    names: dict[str, set[str]] = {}
    for message in read_once(po_path(locale), locale):
        key = str(message.context)
        if message.id and key.startswith("discord.option.") and key.endswith(".name"):
            names.setdefault(key.split(".")[3], set()).add(forms(message)[0])
    assert {option: found for option, found in names.items() if len(found) > 1} == {}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_what_the_reader_fills_in_is_named_in_their_language(locale: str) -> None:
    """`/voice NAME` is `/voice ИМЯ`: no English word for a value the reader fills in is left,
    unless the language writes it the same."""
    english = set()
    for message in read_once(LOCALE_DIR / f"{DOMAIN}.pot"):
        english.update(FILLED_IN.findall(" ".join(sources(message))))
    assert {"NAME", "LANGUAGE", "QUESTION"} <= english
    left = english - FILLED_IN_ALIKE.get(locale, set())
    found = [
        f"{message.context}: {word}"
        for message in read_once(po_path(locale), locale)
        if message.id
        for form in forms(message)
        for word in FILLED_IN.findall(form)
        if word in left
    ]
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_style_examples_use_the_presets_names_in_the_reader_s_language(locale: str) -> None:
    """Presets are typed by their name in any language; the examples give the reader's
    (`/style fröhlich`, "z. B. fröhlich oder flüsternd"), not the English."""
    catalog = read_once(po_path(locale), locale)
    named = {str(m.context): forms(m)[0] for m in catalog if m.id}
    english = [
        preset
        for preset in STYLE_PRESETS
        if named[f"style.preset.{preset}"].casefold() != preset.casefold()
    ]
    found = [
        f"{message.context}: {preset}"
        for message in catalog
        if message.id and not str(message.context).startswith("style.preset.")
        for form in forms(message)
        for preset in english
        if re.search(rf"\b{preset}\b", form)
    ]
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_discord_sentences_name_options_as_the_reader_s_discord_does(locale: str) -> None:
    """`/voice name:NAME share:True` is `/voice имя:ИМЯ поделиться:True` where the options
    are named so: a sentence that shows how to type a command uses the reader's names."""
    catalog = {str(m.context): forms(m) for m in read_once(po_path(locale), locale) if m.id}
    options: dict[str, set[str]] = {}
    for key, (name, *_) in catalog.items():
        if key.startswith("discord.option.") and key.endswith(".name"):
            options.setdefault(key.split(".")[2], set()).add(name)
    sentences = [(k, t) for k, texts in catalog.items() if k.startswith("discord.") for t in texts]
    wrong = [
        f"{key}: /{command} {word}"
        for key, text in sentences
        for command, typed in OPTION_TYPED.findall(text)
        for word in typed.split()
        if word.split(":")[0] not in options.get(command, set())
    ]
    assert wrong == []


@pytest.mark.parametrize("locale", [DEFAULT_LOCALE, *TRANSLATED])
def test_a_heading_has_one_colon(locale: str) -> None:
    """A heading ("Daily digest of 3 messages since …:") has one colon, at its end."""
    path = LOCALE_DIR / f"{DOMAIN}.pot" if locale == DEFAULT_LOCALE else po_path(locale)
    doubled = [
        f"{message.context}: {text}"
        for message in read_once(path, locale if locale != DEFAULT_LOCALE else None)
        if message.id and str(message.context).endswith(".header")
        for text in (sources(message) if locale == DEFAULT_LOCALE else forms(message))
        if len(re.findall("[:：]", text)) != 1 or not re.search("[:：]$", text)
    ]
    assert doubled == []


def test_german_sentences_take_the_en_dash() -> None:
    """German writes "–" in a sentence; " — " only separates a name from what it is."""
    found = [
        f"{message.context}: {line}"
        for message in read_once(po_path("de"), "de")
        if message.id and not str(message.context).startswith(LABELLED)
        for form in forms(message)
        for line in form.splitlines()
        if " — " in line and not line.startswith(("•", "/"))
    ]
    assert found == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_menu_path_in_a_sentence_is_quoted(locale: str) -> None:
    """A Discord menu path inside a sentence ("Apps → Clone this voice") stands in the
    language's quotation marks („…“, «…», “…”, 「…」): the reader sees where its name ends."""
    catalog = {str(m.context): forms(m) for m in read_once(po_path(locale), locale) if m.id}
    menus = [texts[0] for key, texts in catalog.items() if key.startswith("discord.menu.")]
    bare = [
        f"{key}: {menu}"
        for key, texts in catalog.items()
        if not key.startswith("discord.menu.")
        for text in texts
        for menu in menus
        if f"→ {menu}" in text
        and not re.search(rf"[„“«「]\s?[^→\n]+ → {re.escape(menu)}\s?[“”»」]", text)
    ]
    assert bare == []


# A Korean particle whose form follows the sound before it (받침): 을/를, 이/가, 은/는, 과/와,
# (으)로, 이에요/예요... After a placeholder whose reading ends in a consonant ({bot} is a
# Telegram bot's name, "…bot", read "…봇") the consonant's form; after one whose reading is
# unknown ({name}, {voice}), both forms (을(를), (으)로) or a phrasing without a particle.
KOREAN_PARTICLE = re.compile(
    r"\{(\w+)\}(이에요|예요|으로|로|이나|나|이랑|랑|은|는|을|를|과|와|이|가)(?![(가-힣])"
)
AFTER_A_CONSONANT = {"이에요", "으로", "이나", "이랑", "은", "을", "과", "이"}
ENDS_IN_A_CONSONANT = {"bot"}


def test_korean_particles_agree_with_the_placeholder_before_them() -> None:
    wrong = [
        f"{message.context}: {hit.group()}"
        for message in read_once(po_path("ko"), "ko")
        if message.id
        for form in forms(message)
        for hit in KOREAN_PARTICLE.finditer(form)
        if hit.group(1) not in ENDS_IN_A_CONSONANT or hit.group(2) not in AFTER_A_CONSONANT
    ]
    assert wrong == []


# Each language describes its commands in one mood (Telegram's command menu, Discord's
# command descriptions): what a description in another looks like there.
OTHER_MOOD: dict[str, tuple[str, str]] = {
    "zh_Hans": (r"[。！]$", "a phrase, not a sentence"),
    "zh_Hant": (r"[。！]$", "a phrase, not a sentence"),
    "ja": (r"(?:ます|ません|です|ください)$", "the plain form, not です・ます"),
    "ko": (r"요$", "a noun or -기, not 해요체"),
    "ru": (r"^\w+(?:ите|йте|ьте)\b", "the infinitive (Показать), not the imperative"),
    "uk": (r"^\w+(?:іть|йте|ьте)\b", "the infinitive (Показати), not the imperative"),
    "es": (r"^\w+(?:ar|er|ir)\b", "the present (Muestra, Traduce), not the infinitive"),
    "pt_BR": (
        r"^(?:Mostr|Fal|Traduz|Transcrev|Apag|Cri|Pul|Pergunt|Defin|Ativ|Deix|Escolh|Envi)"
        r"(?:a|e|am|em)\b|^(?:Lê|Leia|Dá|Dê|Faz|Faça|Sai|Saia|Pare)\b",
        "the infinitive (Mostrar, Traduzir), not the present or the imperative",
    ),
    "de": (
        r"^(?:Zeig|Wähl|Lies|Übersetz|Lösch|Sprich|Überspring|Erstell|Gib|Leg|Lass|Transkribier)"
        r"e?\b",
        "the infinitive last (Stimme anzeigen), not the imperative",
    ),
    "fr": (
        r"^(?:Affich|Choisi|Li|Tradui|Supprim|Transcri|Pass|Arrêt|Cré|Donn|Pos|Défini|Laiss)"
        r"(?:e|s|t|ez|ssez|sez|vez)\b",
        "the infinitive (Afficher, Traduire), not the present or the imperative",
    ),
    "id": (r"^Me(?:m|n|ng|ny)\w+", "the base form (Tampilkan, Hapus), not meN-"),
}


def _describes_a_command(key: str) -> bool:
    return key.startswith("telegram.command.") or (
        key.startswith("discord.command.") and key.endswith(".description")
    )


@pytest.mark.parametrize("locale", TRANSLATED)
def test_commands_are_described_in_one_mood(locale: str) -> None:
    pattern, mood = OTHER_MOOD[locale]
    described = {
        str(m.context): forms(m)[0]
        for m in read_once(po_path(locale), locale)
        if m.id and _describes_a_command(str(m.context))
    }
    assert len(described) > 40
    other = [f"{key}: {text} ({mood})" for key, text in described.items()
             if re.search(pattern, text)]  # fmt: skip
    assert other == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_setting_named_in_an_error_repeats_no_word_of_it(locale: str) -> None:
    """`error.bad_choice` names the setting in its frame ("kein gültiger Wert ({setting})"):
    the setting's name does not say the frame's words again ("Wert (Wert für …)")."""
    catalog = {str(m.context): forms(m)[0] for m in read_once(po_path(locale), locale) if m.id}
    frame = catalog["error.bad_choice"]
    words = {w.casefold() for w in re.findall(r"\w{4,}", frame.replace("{setting}", ""))}
    repeated = [
        f"{key}: {name}"
        for key, name in catalog.items()
        if key.startswith("setting.")
        for word in re.findall(r"\w{4,}", name)
        if word.casefold() in words
    ]
    assert repeated == []


@pytest.mark.parametrize("locale", TRANSLATED)
def test_a_speaker_whose_name_cannot_be_said_is_named_as_naturally(locale: str) -> None:
    """The channel reader names a speaker before their words (`reader.said`); a name it cannot
    say is `reader.someone`'s, and the sentence reads as well with it: no honorific after
    "someone" (Japanese だれかさん, Korean 누군가님)."""
    said = text("reader.said", locale, name=text("reader.someone", locale), words="…")
    assert not re.search(r"(?:だれか|誰か)さん|누군가\s?님", said)


# A sentence the reader says aloud of themselves (the spoken consent, `voices.consent.sentence`)
# must be true of whoever reads it: in a language that marks the speaker's gender in the first
# person, it says so in a form that does not (ru «я даю согласие», not согласен / согласна).
# What such a form looks like in each language the glossary names.
GENDERED_FIRST_PERSON: dict[str, str] = {
    "ru": r"\b[Сс]оглас(?:ен|на)\b|\b[Гг]отов(?:а)?\b|\b[Рр]ад(?:а)?\b|\b[Яя] \w+л(?:а)?\b",
    "uk": r"\b[Зз]год(?:ен|на|ний)\b|\b[Гг]отов(?:ий|а)\b|\b[Рр]ад(?:ий|а)?\b|\b[Яя] \w+(?:в|ла)\b",
    "fr": r"\b[Jj]e suis (?:prêt|sûr|content|heureu|ravi|certain|d’accord et prêt)\w*",
    "es": r"\b(?:[Ee]stoy|[Ss]oy) (?:list|segur|content|dispuest|convencid)[oa]s?\b",
    "pt_BR": r"\b(?:[Ee]stou|[Ss]ou|[Ff]ico) (?:pront|segur|content|dispost|obrigad)[oa]s?\b",
}
SAID_OF_ONESELF = "voices.consent.sentence"


@pytest.mark.parametrize("locale", GENDERED_FIRST_PERSON)
def test_a_sentence_said_of_oneself_marks_no_gender(locale: str) -> None:
    said = {
        str(m.context): text
        for m in read_once(po_path(locale), locale)
        if m.id and str(m.context).startswith(SAID_OF_ONESELF)
        for text in forms(m)
    }
    assert len(said) >= 2
    gendered = [
        f"{key}: {hit.group()!r}"
        for key, text in said.items()
        for hit in re.finditer(GENDERED_FIRST_PERSON[locale], text)
    ]
    assert gendered == []


def test_the_gendered_forms_are_told_from_the_neutral_ones() -> None:
    """The table above catches what it names and lets the neutral wording through: the
    speaker's «согласен», not voicebridge's «говорил»."""
    caught = {
        "ru": "Я Анна, и я согласна, чтобы voicebridge говорил моим голосом.",
        "uk": "Я Ганна, і я згодна, щоб voicebridge говорив моїм голосом.",
        "fr": "Je suis Anne et je suis prête à ce que voicebridge parle avec ma voix.",
        "es": "Soy Ana y estoy lista para que voicebridge hable con mi voz.",
        "pt_BR": "Eu sou Ana e estou pronta para que o voicebridge fale com a minha voz.",
    }
    passed = {
        "ru": "Я {name}, и я даю согласие на то, чтобы voicebridge говорил моим голосом. {words}",
        "uk": "Я {name}, і я даю згоду, щоб voicebridge говорив моїм голосом. {words}",
        "fr": "Je suis {name} et j’accepte que voicebridge parle avec ma voix. {words}",
        "es": "Soy {name} y acepto que voicebridge hable con mi voz. {words}",
        "pt_BR": "Eu sou {name} e concordo que o voicebridge fale com a minha voz. {words}",
    }
    assert [
        lo for lo, said in caught.items() if not re.search(GENDERED_FIRST_PERSON[lo], said)
    ] == []
    assert [lo for lo, said in passed.items() if re.search(GENDERED_FIRST_PERSON[lo], said)] == []


# A sentence addressed to the reader assumes nothing of their gender either: where a language
# marks it on a word that describes "you", it says so another way (es «graba la frase con tu
# propia voz», not «graba tú mismo»; pt_BR «com a sua própria voz», not «você mesmo»; fr «où
# personne d’autre ne les voit», not «où vous seul les voyez»; ru and uk the plural of вы / ви,
# «сами», «уверены», «впевнені», never сам, сама, уверен, впевнений). What a gendered form
# addressed to the reader looks like in each language the glossary names.
GENDERED_SECOND_PERSON: dict[str, str] = {
    "es": r"\b(?:[Tt]ú|ti) (?:mism|sol)[oa]s?\b|\b[Bb]ienvenid[oa]s?\b"
    r"|\b(?:estás|estarás|estés|eres|serás|seas|quedas|quedarás|te quedes|te sientes) "
    r"(?:segur|list|sol|dispuest|conectad|desconectad|invitad|registrad|suscrit|cansad"
    r"|content|equivocad|obligad)[oa]s?\b",
    "pt_BR": r"\b[Vv]ocês? (?:mesm|sozinh)[oa]s?\b|\b[Bb]em-vind[oa]s?\b"
    r"|\b[Vv]ocês? (?:\w+ )?(?:está|estará|esteja|estiver|é|será|seja|for|fica|ficará) (?:pront"
    r"|segur|sozinh|conectad|desconectad|obrigad|dispost|cadastrad|inscrit|convidad|cansad"
    r"|content|enganad)[oa]s?\b",
    "fr": r"\b[Vv]ous(?:-mêmes?)? seule?s?\b"
    r"|\b(?:[Vv]ous êtes|[Êê]tes-vous|[Vv]ous serez|[Vv]ous étiez|[Vv]ous soyez|[Vv]ous restez) "
    r"(?:le |la )?(?:sûr|prêt|seul|certain|connecté|déconnecté|inscrit|abonné|invité|bienvenu"
    r"|content|ravi|désolé|obligé|allé|venu|parti|arrivé|resté)e?s?\b",
    "ru": r"\b[Вв]ы (?:\w+ )?(?:сам|сама|один|одна|уверен|уверена|готов|готова|должен|должна"
    r"|согласен|согласна|рад|рада|обязан|обязана)\b|\b\w+(?:ите|йте|ьте)(?: \w+)? (?:сам|сама)\b",
    "uk": r"\b[Вв]и (?:\w+ )?(?:сам|сама|один|одна|впевнений|впевнена|готовий|готова|повинен"
    r"|повинна|згоден|згодна|радий|рада)\b|\b\w+(?:іть|йте|ьте)(?: \w+)? (?:сам|сама)\b",
}


@pytest.mark.parametrize("locale", GENDERED_SECOND_PERSON)
def test_no_sentence_addressed_to_the_reader_assumes_their_gender(locale: str) -> None:
    gendered = [
        f"{message.context}: {hit.group()!r}"
        for message in read_once(po_path(locale), locale)
        if message.id
        for form in forms(message)
        for hit in re.finditer(GENDERED_SECOND_PERSON[locale], form, re.IGNORECASE)
    ]
    assert gendered == []


def test_the_gendered_forms_of_you_are_told_from_the_neutral_ones() -> None:
    """The table above catches the fourth native reading's examples and its like, and lets the
    neutral wording through (the bot's «сам» of a third person, «sola» of a question)."""
    caught = {
        "es": ["Ese mensaje de voz fue reenviado: graba tú mismo la frase.", "¿Estás segura?"],
        "pt_BR": ["Essa mensagem foi encaminhada: grave você mesmo a frase.", "Você está pronto?"],
        "fr": ["Les transcriptions arrivent ici, où vous seul les voyez.", "Êtes-vous sûre ?"],
        "ru": ["Запишите фразу сам.", "Вы уверен?"],
        "uk": ["Запишіть речення сама.", "Ви впевнений?"],
    }
    passed = {
        "es": ["Graba la frase con tu propia voz.", "Envía /ask PREGUNTA sola.", "Ahora mismo no."],
        "pt_BR": ["Grave a frase com a sua própria voz.", "A voz {name} está pronta."],
        "fr": ["Ici, où personne d’autre ne les voit.", "Enregistrez vous-même la phrase."],
        "ru": ["Запишите фразу сами.", "Вы уверены?", "Поделиться может только он сам."],
        "uk": ["Запишіть речення самі.", "Ви впевнені?", "Поділитися може лише вона сама."],
    }
    missed = [said for lo, all_said in caught.items() for said in all_said
              if not re.search(GENDERED_SECOND_PERSON[lo], said, re.IGNORECASE)]  # fmt: skip
    wrongly = [said for lo, all_said in passed.items() for said in all_said
               if re.search(GENDERED_SECOND_PERSON[lo], said, re.IGNORECASE)]  # fmt: skip
    assert missed == []
    assert wrongly == []


# One idea, one term, across a whole catalogue: where the English names an idea the glossary
# gives a term for (its pattern, left), every translation says that language's term (right,
# one pattern each, case aside). A translator who reads "speech" as "voice", or a call's
# transcript as a call log, is caught here.
_TRANSCRIPT = {
    "de": "Transkript", "es": "transcripci", "fr": "transcription", "pt_BR": "transcriç",
    "id": "transkrip", "ru": "расшифровк", "uk": "розшифровк", "ja": "文字起こし",
    "ko": "녹취록", "zh_Hans": "文字稿", "zh_Hant": "逐字稿",
}  # fmt: skip
TERMS: dict[str, tuple[str, dict[str, str]]] = {
    "a call's transcript": (r"\bcall's transcript\b|\btranscripts? of (?:the|a) call", _TRANSCRIPT),
    "transcribe": (
        r"(?<![/\w])[Tt]ranscrib(?:e|es|ed|ing)?\b(?! srt| txt)",
        {
            "de": "transkri",
            "es": "transcr[ií]",
            "fr": "transcri",
            "pt_BR": "transcre|transcri",
            "id": "transkrip",
            "ru": "расшифр",
            "uk": "розшифр",
            "ja": "文字起こし",
            "ko": "변환",
            "zh_Hans": "转写",
            "zh_Hant": "轉錄",
        },
    ),
    "read-aloud quota": (
        r"read-aloud characters|share of this server's|read aloud .* characters one member",
        {  # the characters, and reading aloud
            "de": "(?s)(?=.*Zeichen).*vor(?:ge)?les",
            "es": "(?s)(?=.*caracteres).*en voz alta",
            "fr": "(?s)(?=.*caractères).*à voix haute",
            "pt_BR": "(?s)(?=.*caracteres).*em voz alta",
            "id": "(?s)(?=.*karakter).*bacakan",
            "ru": "(?s)(?=.*символ).*вслух",
            "uk": "(?s)(?=.*символ).*[ву]голос",
            "ja": "(?s)(?=.*文字).*読み上げ",
            "ko": "(?s)(?=.*(?:글자|\\}자)).*읽어 [주준]",
            "zh_Hans": "(?s)(?=.*字符).*朗读",
            "zh_Hant": "(?s)(?=.*字元).*朗讀",
        },
    ),
    "spoken consent": (
        r"\bspoken consent\b",
        {
            "de": "gesprochene\\w* Zustimmung",
            "es": "consentimiento hablado",
            "fr": "consentement parlé",
            "pt_BR": "consentimento falado",
            "id": "persetujuan lisan",
            "ru": "устн\\w+ согласи",
            "uk": "усн\\w+ згод",
            "ja": "口頭での同意",
            "ko": "말로 (?:하는 )?동의",
            "zh_Hans": "口头同意",
            "zh_Hant": "口頭同意",
        },
    ),
}


@pytest.mark.parametrize("locale", TRANSLATED)
def test_an_idea_the_glossary_names_has_its_term_wherever_the_english_says_it(locale: str) -> None:
    written = GLOSSARY.read_text("utf-8")
    assert all(f"**{idea}**" in written for idea in TERMS)
    found: dict[str, int] = {}
    other = []
    for message in read_once(po_path(locale), locale):
        key = str(message.context)
        if not message.id or key.endswith(".name"):  # Discord's command and option names
            continue
        english = " ".join(sources(message))
        for idea, (said, terms) in TERMS.items():
            if re.search(said, english):
                found[idea] = found.get(idea, 0) + 1
                other += [
                    f"{key}: {text!r} (the glossary's {idea} is {terms[locale]!r})"
                    for text in forms(message)
                    if not re.search(terms[locale], text, re.IGNORECASE)
                ]
    assert sorted(found) == sorted(TERMS)
    assert other == []


# A particle joins the word before it in Korean, a placeholder's, a command's and a value typed
# into a Discord option's too (`통화:True를`, never `통화:True 를`); after True and False, read
# 트루 and 폴스, the form that follows a vowel (를, 는, 가, 와, 로).
KOREAN_SPACED_PARTICLE = re.compile(
    r"(?<=[\w}\])]) (을\(를\)|\(으\)로|은\(는\)|이\(가\)|과\(와\)"
    r"|을|를|은|는|으로|로|과|와|가|에서|의)(?=[\s.,!?:;)]|$)"
)
KOREAN_AFTER_TRUE_FALSE = re.compile(
    r"\b(?:True|False)(을|은|이|과|으로|이에요|이나|이랑)(?![가-힣])"
)


def test_korean_particles_join_the_word_before_them_in_the_form_it_takes() -> None:
    wrong = [
        f"{message.context}: {form[max(0, hit.start() - 12) : hit.end() + 2]!r}"
        for message in read_once(po_path("ko"), "ko")
        if message.id
        for form in forms(message)
        for pattern in (KOREAN_SPACED_PARTICLE, KOREAN_AFTER_TRUE_FALSE)
        for hit in pattern.finditer(form)
    ]
    assert wrong == []
