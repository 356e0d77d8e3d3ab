"""Redirect targets taken from requests: only paths on this site are followed."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next_url(target: str | None, fallback: str) -> str:
    """Return `target` if it is a local path (no scheme, no host, no backslash tricks), else
    `fallback`. `//evil.example`, `/\\evil.example`, `https://evil.example` and control characters
    are all refused."""
    if not target or len(target) > 2048:
        return fallback
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
