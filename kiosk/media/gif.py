"""How long a GIF's animation runs: its pictures and their delays, read from the blocks.

Pure (bytes in, numbers out): the player decides from it how a GIF plays (a still picture
for a while, or its animation repeated whole; kiosk.playback.mediaopts).
"""

from __future__ import annotations

from dataclasses import dataclass

# FFmpeg's GIF demuxer (which plays the animation) shows a picture whose delay is under
# 2/100 s for 10/100 s, as browsers do.
_MIN_DELAY, _DEFAULT_DELAY = 2, 10


@dataclass(frozen=True)
class GifTiming:
    pictures: int
    seconds: float  # one run of the animation

    @property
    def animated(self) -> bool:
        return self.pictures > 1


def _skip_sub_blocks(data: bytes, at: int) -> int:
    while at < len(data):
        size = data[at]
        at += 1 + size
        if size == 0:
            break
    return at


def gif_timing(data: bytes) -> GifTiming | None:
    """The pictures and the length of one run of a GIF file's bytes; None if not a GIF.

    A file cut short counts what it holds (the probe judges whether it plays).
    """
    if len(data) < 13 or data[:6] not in (b"GIF87a", b"GIF89a"):
        return None
    at = 13
    if data[10] & 0x80:  # global colour table
        at += 3 * (2 << (data[10] & 7))
    pictures = 0
    hundredths = 0
    delay = 0
    while at < len(data):
        block = data[at]
        if block == 0x21 and at + 1 < len(data):  # extension
            if data[at + 1] == 0xF9 and at + 6 < len(data):  # graphic control: the delay
                delay = int.from_bytes(data[at + 4 : at + 6], "little")
            at = _skip_sub_blocks(data, at + 2)
        elif block == 0x2C and at + 10 <= len(data):  # a picture
            packed = data[at + 9]
            at += 10
            if packed & 0x80:  # local colour table
                at += 3 * (2 << (packed & 7))
            at = _skip_sub_blocks(data, at + 1)  # after the LZW code size
            pictures += 1
            hundredths += delay if delay >= _MIN_DELAY else _DEFAULT_DELAY
            delay = 0
        else:  # the trailer (0x3B), or bytes that are no block
            break
    return GifTiming(pictures, hundredths / 100)
