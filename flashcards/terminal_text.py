"""Text from decks is untrusted: control and bidi-override characters are shown, not obeyed."""

from __future__ import annotations

import re

__all__ = ["inert"]

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␇ for BEL
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def inert(text: str) -> str:
    """Replace characters that a terminal would act on with visible stand-ins."""
    return _UNSAFE.sub(_visible, text)
