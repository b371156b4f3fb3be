"""Every top-level command and group of `radio`, in the order `radio --help` lists them."""

from radio.cli.init import init
from radio.cli.library import library
from radio.cli.topics import topics

ALL = [init, topics, library]
