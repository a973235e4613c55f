"""voicebridge's platform-neutral core."""

import warnings

# pydub warns at import when ffmpeg is not on PATH; core.ffmpeg points it at the binary from the
# imageio-ffmpeg wheel instead, so the warning would only mislead.
warnings.filterwarnings("ignore", message="Couldn't find ffmpeg or avconv", category=RuntimeWarning)
