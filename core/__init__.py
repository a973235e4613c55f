"""voicebridge's platform-neutral core."""
