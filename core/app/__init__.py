"""Use cases: what a chat can ask of voicebridge, and the limits, claims and schedules around it."""
