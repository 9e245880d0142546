"""Stoat: an event-sourced video-editing backend for AI agents."""

from __future__ import annotations

__version__ = "0.1.0"
