"""Audio files: reading tags (mutagen), decoding and measuring (ffmpeg), the media store."""
