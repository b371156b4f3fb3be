"""Spoken notices: a voice (espeak-ng or a hand-installed engine), the assembly of chime and
readings (pydub), and the announce service that imports the result into the library."""
