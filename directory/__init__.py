"""The Lantern support directory: listings, areas, opening hours, search and export."""

from directory.hours import Schedule
from directory.loader import load_directory
from directory.model import (
    AUDIENCES,
    CATEGORIES,
    CHANNELS,
    Area,
    Contact,
    Directory,
    DirectoryError,
    FrontDoor,
    Service,
    Source,
)

__all__ = [
    "AUDIENCES",
    "CATEGORIES",
    "CHANNELS",
    "Area",
    "Contact",
    "Directory",
    "DirectoryError",
    "FrontDoor",
    "Schedule",
    "Service",
    "Source",
    "load_directory",
]
