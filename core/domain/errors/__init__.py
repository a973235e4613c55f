"""Errors a chat user can cause or should hear about.

Every error carries a key into the message catalogue (`core.chat.message_catalogue`) and the values
that fill it, so each adapter renders it in the chat's language with one error handler. Adapters
never see `httpx`, SQLAlchemy or ffmpeg exceptions: the core translates them at its edges. The
classes live in `base`, `request_refusals` (the request or its audio),
`channel_reader_refusals`, `listening_refusals` (the listened calls'), `limit_refusals` and
`mimo_failures`; import them from here.

    VoicebridgeError
    ├── UserInputError            the request itself is wrong; retrying will not help
    │   ├── EmptyText
    │   ├── TextTooLong
    │   │   └── StyleTooLong      ...the speaking style, not the text to speak
    │   ├── BadChoice             a setting value outside its choices
    │   ├── NotAllowed            e.g. a group member who is not an administrator
    │   │   └── AdminsOnly        ...naming the command (/forget, /digest, /summary off)
    │   ├── NothingToProcess      a command that needs a reply to audio or text got none
    │   ├── NoSpeech              nothing heard in a recording to condense (`/tldr`)
    │   ├── UnknownLanguage       `/translate` into something that is not a language
    │   ├── NoOwnVoice            /voicetranslations without a cloned voice of one's own
    │   ├── UnknownCommand        a /command the bot does not have
    │   ├── BadWindow             `/summary` with a window it cannot read (usage line)
    │   ├── BadDigest             `/digest` with a time it cannot read (usage line)
    │   ├── UnknownTimeZone
    │   ├── BadVoiceName          a name for a chat's own voice that is not allowed
    │   │   └── VoiceNameTaken    ...the chat has a voice of that name, or it is a built-in one
    │   ├── UnknownVoice          /voice delete of a voice the chat does not have
    │   ├── TooManyVoices
    │   ├── BadVoiceDescription   empty or too long
    │   ├── NotYourRecording      cloning a voice note someone else recorded
    │   ├── NotYourVoice          sharing a voice not cloned from one's own recording
    │   ├── VoiceNotShared        choosing someone's cloned voice they have not shared
    │   ├── VoiceNotVerified      sharing a clone made before spoken consent
    │   ├── AnonymousCaller       a request on behalf of a chat (an anonymous administrator)
    │   ├── ConsentRefused        a reading that clones no voice: which part failed
    │   │   (ReadingForwarded, ReadingViaBot, ReadingCopied, ReadingTooOld, SentenceWrong,
    │   │    DigitsWrong)
    │   ├── VoiceChosenByAnother  /myvoice: a voice another member of the server chose
    │   ├── ReadingShareUsed      a member's share of the server's speech in readings
    │   ├── ReadingRefused        the channel reader: who may start, switch, skip and stop
    │   │   ├── MayNotSpeakThere  the member may not speak in the voice channel
    │   │   ├── ListenerMayNotRead  someone listening may not read the text channel
    │   │   ├── AgeRestricted     an age-restricted channel into a voice channel that is not
    │   │   ├── ReadingElsewhere  the server's reading is in another voice channel
    │   │   ├── NotReading        nothing is read aloud in the server
    │   │   ├── CouldNotJoin      the voice connection failed
    │   │   ├── AlreadyListening  /listen where the bot is in a voice channel already
    │   │   ├── NotListening      /stop_listening where it does not
    │   │   ├── NoCallKept        a call's summary where no call is kept
    │   │   ├── NotYourListening  /stop_listening by someone else while its starter is there
    │   │   └── NotYourReading    /skip, /stop by someone else while its starter listens
    │   ├── NothingToSummarise    no stored messages in the window
    │   │   └── LoggingIsOff      ...because the chat turned logging off
    │   ├── NoSearchWords         /find with no word it can search for
    │   ├── NothingKept           /ask across the chat: nothing kept holds the question's words
    │   ├── RecordingDeleted      its message was deleted while it was transcribed
    │   └── WentAway              what something was made from went away as MiMo made it
    │       ├── AnswerWentAway    /ask across the chat, or about a call
    │       ├── SummaryWentAway   /summary of a chat, a channel or a call
    │       └── RecordingWentAway  /tldr, /translate or /ask about a recording
    ├── AudioError                the audio could not be used
    │   ├── UndecodableAudio      corrupt, truncated, or not audio at all
    │   │   └── AudioTimedOut     ...or it holds ffmpeg far longer than its length warrants
    │   ├── EmptyAudio            no audio track, or zero length
    │   └── AudioTooLarge         over a size or duration limit
    │       ├── AudioTooLong      longer than MAX_AUDIO_SECONDS
    │       ├── AudioFileTooLarge  larger than MAX_AUDIO_MB
    │       └── TooLongToAsk      longer than one audio-understanding request holds
    ├── LimitReached              a limit that protects the owner (`core.app.rules.limits`)
    │   ├── SlowDown              one person's requests this minute
    │   ├── ChatSlowDown          the whole chat's requests this minute
    │   │   └── AutoTranscriptsPaused  ...reached by automatic transcripts
    │   │       └── PersonAutoTranscriptsPaused  ...of one sender, past their own rate
    │   ├── QuotaUsed             a daily quota of the chat
    │   │   ├── AudioQuotaUsed    (AudioQuotaShort: some left, not enough; AudioOverQuota:
    │   │   │                     more than a day's)
    │   │   ├── SpeechQuotaUsed   (SpeechQuotaShort, SpeechOverQuota: likewise)
    │   │   ├── SummaryQuotaUsed
    │   │   ├── PersonAudioQuotaUsed  a person's cap, all chats together
    │   │   │   │                 (PersonAudioQuotaShort: some left, not enough)
    │   │   │   └── ListenStarterQuotaUsed  the cap of the member who started the listening
    │   │   ├── PersonSpeechQuotaUsed  (PersonSpeechQuotaShort: likewise)
    │   │   ├── AskQuotaUsed      (AskQuotaShort, AskOverQuota: likewise)
    │   │   ├── ListenQuotaUsed   a server's listening in voice channels
    │   │   └── BudgetSpent       the whole bot's day: it rests until midnight UTC
    │   │       └── AudioBudgetSpent, SpeechBudgetSpent
    │   ├── CloneAttemptsUsed     one person's /voice clone requests today
    │   └── AlreadyTold           automatic work refused again: the chat heard why, say nothing
    ├── PrivateBot                the chat or user is not on the allowlist
    │   └── NoLongerServed        ...any more: a call or reading kept through a restart
    ├── NoNotSaved                a no to listening holds in the call but was not stored
    └── MimoError                 the speech API failed
        ├── MimoAuthError         401, 403: the owner must fix the key or region
        ├── MimoBalanceError      402: the balance is used up
        ├── MimoContentFiltered   421
        ├── MimoBadRequest        400, 404: a bug or an unsupported input
        │   └── MimoModelRefused  ...the model a setting names: the owner must change it
        ├── MimoRateLimited       429 after retries
        ├── MimoUnavailable       500, 503, timeouts, broken connections after retries
        │   ├── MimoUnreachable   no answer at all: refused, broken, or not in time
        │   └── MimoCircuitOpen   not even tried: MiMo kept failing, the breaker is open
        └── MimoBadResponse       an answer without the expected content
"""

from core.domain.errors.base import (
    MAX_QUOTED_CHARS,
    ConfigError,
    MissingSetting,
    StartupError,
    VoicebridgeError,
    quoted,
)
from core.domain.errors.channel_reader_refusals import (
    AgeRestricted,
    CouldNotJoin,
    ListenerMayNotRead,
    MayNotSpeakThere,
    NotReading,
    NotYourReading,
    ReadingElsewhere,
    ReadingRefused,
    ReadingShareUsed,
    VoiceChosenByAnother,
)
from core.domain.errors.limit_refusals import (
    AlreadyTold,
    AskOverQuota,
    AskQuotaShort,
    AskQuotaUsed,
    AudioBudgetSpent,
    AudioOverQuota,
    AudioQuotaShort,
    AudioQuotaUsed,
    AutoTranscriptsPaused,
    BudgetSpent,
    ChatSlowDown,
    CloneAttemptsUsed,
    LimitReached,
    ListenQuotaUsed,
    ListenStarterQuotaUsed,
    NoLongerServed,
    PersonAudioQuotaShort,
    PersonAudioQuotaUsed,
    PersonAutoTranscriptsPaused,
    PersonSpeechQuotaShort,
    PersonSpeechQuotaUsed,
    PrivateBot,
    QuotaUsed,
    SlowDown,
    SpeechBudgetSpent,
    SpeechOverQuota,
    SpeechQuotaShort,
    SpeechQuotaUsed,
    SummaryQuotaUsed,
)
from core.domain.errors.listening_refusals import (
    AlreadyListening,
    NoCallKept,
    NoNotSaved,
    NotListening,
    NotYourListening,
)
from core.domain.errors.mimo_failures import (
    MimoAuthError,
    MimoBadRequest,
    MimoBadResponse,
    MimoBalanceError,
    MimoCircuitOpen,
    MimoContentFiltered,
    MimoError,
    MimoModelRefused,
    MimoRateLimited,
    MimoUnavailable,
    MimoUnreachable,
)
from core.domain.errors.request_refusals import (
    AdminsOnly,
    AnonymousCaller,
    AnswerWentAway,
    AudioError,
    AudioFileTooLarge,
    AudioTimedOut,
    AudioTooLarge,
    AudioTooLong,
    BadChoice,
    BadDigest,
    BadVoiceDescription,
    BadVoiceName,
    BadWindow,
    ConsentRefused,
    DigitsWrong,
    EmptyAudio,
    EmptyText,
    LoggingIsOff,
    NoOwnVoice,
    NoSearchWords,
    NoSpeech,
    NotAllowed,
    NothingKept,
    NothingToProcess,
    NothingToSummarise,
    NotYourRecording,
    NotYourVoice,
    ReadingCopied,
    ReadingForwarded,
    ReadingTooOld,
    ReadingViaBot,
    RecordingDeleted,
    RecordingWentAway,
    SentenceWrong,
    StyleTooLong,
    SummaryWentAway,
    TextTooLong,
    TooLongToAsk,
    TooManyVoices,
    UndecodableAudio,
    UnknownCommand,
    UnknownLanguage,
    UnknownTimeZone,
    UnknownVoice,
    UserInputError,
    VoiceNameTaken,
    VoiceNotShared,
    VoiceNotVerified,
    WentAway,
)

__all__ = [
    "MAX_QUOTED_CHARS",
    "AdminsOnly",
    "AgeRestricted",
    "AlreadyListening",
    "AlreadyTold",
    "AnonymousCaller",
    "AnswerWentAway",
    "AskOverQuota",
    "AskQuotaShort",
    "AskQuotaUsed",
    "AudioBudgetSpent",
    "AudioError",
    "AudioFileTooLarge",
    "AudioOverQuota",
    "AudioQuotaShort",
    "AudioQuotaUsed",
    "AudioTimedOut",
    "AudioTooLarge",
    "AudioTooLong",
    "AutoTranscriptsPaused",
    "BadChoice",
    "BadDigest",
    "BadVoiceDescription",
    "BadVoiceName",
    "BadWindow",
    "BudgetSpent",
    "ChatSlowDown",
    "CloneAttemptsUsed",
    "ConfigError",
    "ConsentRefused",
    "CouldNotJoin",
    "DigitsWrong",
    "EmptyAudio",
    "EmptyText",
    "LimitReached",
    "ListenQuotaUsed",
    "ListenStarterQuotaUsed",
    "ListenerMayNotRead",
    "LoggingIsOff",
    "MayNotSpeakThere",
    "MimoAuthError",
    "MimoBadRequest",
    "MimoBadResponse",
    "MimoBalanceError",
    "MimoCircuitOpen",
    "MimoContentFiltered",
    "MimoError",
    "MimoModelRefused",
    "MimoRateLimited",
    "MimoUnavailable",
    "MimoUnreachable",
    "MissingSetting",
    "NoCallKept",
    "NoLongerServed",
    "NoNotSaved",
    "NoOwnVoice",
    "NoSearchWords",
    "NoSpeech",
    "NotAllowed",
    "NotListening",
    "NotReading",
    "NotYourListening",
    "NotYourReading",
    "NotYourRecording",
    "NotYourVoice",
    "NothingKept",
    "NothingToProcess",
    "NothingToSummarise",
    "PersonAudioQuotaShort",
    "PersonAudioQuotaUsed",
    "PersonAutoTranscriptsPaused",
    "PersonSpeechQuotaShort",
    "PersonSpeechQuotaUsed",
    "PrivateBot",
    "QuotaUsed",
    "ReadingCopied",
    "ReadingElsewhere",
    "ReadingForwarded",
    "ReadingRefused",
    "ReadingShareUsed",
    "ReadingTooOld",
    "ReadingViaBot",
    "RecordingDeleted",
    "RecordingWentAway",
    "SentenceWrong",
    "SlowDown",
    "SpeechBudgetSpent",
    "SpeechOverQuota",
    "SpeechQuotaShort",
    "SpeechQuotaUsed",
    "StartupError",
    "StyleTooLong",
    "SummaryQuotaUsed",
    "SummaryWentAway",
    "TextTooLong",
    "TooLongToAsk",
    "TooManyVoices",
    "UndecodableAudio",
    "UnknownCommand",
    "UnknownLanguage",
    "UnknownTimeZone",
    "UnknownVoice",
    "UserInputError",
    "VoiceChosenByAnother",
    "VoiceNameTaken",
    "VoiceNotShared",
    "VoiceNotVerified",
    "VoicebridgeError",
    "WentAway",
    "quoted",
]
