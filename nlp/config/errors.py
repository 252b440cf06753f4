"""The error a bad config raises: one message naming the file and the dotted key."""

from __future__ import annotations


class ConfigError(ValueError):
    """A config that does not match its schema; the message names the file and the key."""


class _KeyError(ValueError):
    """Internal: a problem at a dotted key, turned into a ConfigError that names the file."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}" if key else message)
