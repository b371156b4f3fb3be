"""Every top-level command and group of `radio`, in the order `radio --help` lists them."""

from radio.cli.hamlet import hamlet
from radio.cli.init import init
from radio.cli.library import library
from radio.cli.play import devices, play, render
from radio.cli.report import report
from radio.cli.topics import topics
from radio.cli.usb import export_usb, usb

ALL = [init, topics, library, hamlet, export_usb, usb, play, render, devices, report]
