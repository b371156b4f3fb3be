"""radio: scheduling and playout for Vietnamese commune loudspeaker radio."""

__version__ = "0.1.0"
