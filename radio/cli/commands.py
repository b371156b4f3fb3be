"""Every top-level command and group of `radio`, in the order `radio --help` lists them."""

from radio.cli.daemon import daemon, log_command, status
from radio.cli.hamlet import hamlet
from radio.cli.init import init
from radio.cli.library import library
from radio.cli.play import devices, play, render
from radio.cli.report import report
from radio.cli.schedule import emergency, queue, slot
from radio.cli.topics import topics
from radio.cli.usb import export_usb, usb
from radio.cli.user import user
from radio.cli.web import web

ALL = [init, topics, library, slot, queue, emergency, daemon, status, log_command, hamlet, export_usb, usb, play, render, devices, report, web, user]
