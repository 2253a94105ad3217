"""The WebVTT thumbnails track that maps media time to a tile of a storyboard sheet."""

from __future__ import annotations

from transcoder.plan import Storyboard

SHEET_PATTERN = "sheet_%03d.jpg"
THUMB_PATTERN = "thumb_%05d.jpg"
VTT_NAME = "storyboard.vtt"


def sheet_name(index: int) -> str:
    """File name of sprite sheet ``index`` (matches the image2 pattern ffmpeg writes)."""
    return SHEET_PATTERN % index


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def storyboard_vtt(board: Storyboard, duration: float) -> str:
    """A WebVTT file whose cues point at ``sheet_NNN.jpg#xywh=x,y,w,h`` tiles."""
    lines = ["WEBVTT", ""]
    for index in range(board.count):
        start = index * board.interval
        if start >= duration:
            break
        end = min(duration, start + board.interval)
        sheet, cell = divmod(index, board.per_sheet)
        row, column = divmod(cell, board.columns)
        x, y = column * board.width, row * board.height
        lines += [
            f"{_timestamp(start)} --> {_timestamp(end)}",
            f"{sheet_name(sheet)}#xywh={x},{y},{board.width},{board.height}",
            "",
        ]
    return "\n".join(lines)
