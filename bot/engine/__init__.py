"""Channel-agnostic dialog engine: loads the trees and content, keeps each user's place,
turns an event into replies. Imports no channel (no telegram, no aiohttp)."""

from .engine import Engine
from .loader import load
from .model import Button, Event, Reply

__all__ = ["Engine", "Event", "Reply", "Button", "load"]
