"""Tests for the pure ladder planner."""

from __future__ import annotations

import pytest

from transcoder.plan import MIN_VIDEO_BITRATE, Plan, Storyboard, plan_ladder, plan_storyboard
from transcoder.probe import MediaInfo
from transcoder.storyboard import storyboard_vtt


def media(
    width: int,
    height: int,
    *,
    fps: float = 30.0,
    bit_rate: int | None = None,
    has_audio: bool = True,
) -> MediaInfo:
    return MediaInfo(
        format_name="mov",
        duration=60.0,
        width=width,
        height=height,
        fps=fps,
        video_codec="h264",
        has_audio=has_audio,
        audio_codec="aac" if has_audio else None,
        bit_rate=bit_rate,
        size_bytes=1_000_000,
        video_stream_index=0,
        audio_stream_index=1 if has_audio else None,
    )


def sizes(plan: Plan) -> list[tuple[str, int, int]]:
    return [(r.name, r.width, r.height) for r in plan.renditions]


def test_1080p_source_gets_full_ladder() -> None:
    plan = plan_ladder(media(1920, 1080))
    assert sizes(plan) == [
        ("1080p", 1920, 1080),
        ("720p", 1280, 720),
        ("480p", 852, 480),
        ("360p", 640, 360),
        ("240p", 426, 240),
    ]


def test_360p_source_gets_exactly_two_renditions() -> None:
    plan = plan_ladder(media(640, 360))
    assert sizes(plan) == [("360p", 640, 360), ("240p", 426, 240)]


def test_720p_source_is_not_upscaled_to_1080p() -> None:
    assert [r.name for r in plan_ladder(media(1280, 720)).renditions] == [
        "720p",
        "480p",
        "360p",
        "240p",
    ]


def test_tiny_source_gets_one_rendition_at_source_size() -> None:
    assert sizes(plan_ladder(media(200, 120))) == [("120p", 200, 120)]


def test_tiny_odd_source_is_rounded_down_to_even() -> None:
    assert sizes(plan_ladder(media(201, 121))) == [("120p", 200, 120)]


@pytest.mark.parametrize(
    ("width", "height"),
    [(1920, 1080), (1440, 1080), (1280, 720), (854, 480), (640, 360), (720, 576), (1000, 333)],
)
def test_renditions_are_even_never_upscaled_and_keep_aspect(width: int, height: int) -> None:
    for rendition in plan_ladder(media(width, height)).renditions:
        assert rendition.width % 2 == 0
        assert rendition.height % 2 == 0
        assert rendition.width <= width
        assert rendition.height <= height
        # Rounding to even may move the width by at most 2 pixels.
        assert abs(rendition.width - width * rendition.height / height) <= 2


def test_4_3_source_keeps_its_aspect_ratio() -> None:
    plan = plan_ladder(media(1440, 1080))
    assert sizes(plan)[:2] == [("1080p", 1440, 1080), ("720p", 960, 720)]
    assert sizes(plan)[-1] == ("240p", 320, 240)


def test_portrait_source_uses_short_side_for_rungs() -> None:
    plan = plan_ladder(media(1080, 1920))
    assert sizes(plan)[:2] == [("1080p", 1080, 1920), ("720p", 720, 1280)]


def test_base_bitrates_at_30fps_without_known_source_bitrate() -> None:
    plan = plan_ladder(media(1920, 1080))
    assert [r.video_bitrate for r in plan.renditions] == [
        5_000_000,
        2_800_000,
        1_400_000,
        800_000,
        400_000,
    ]


def test_bitrates_are_capped_by_source_bitrate() -> None:
    plan = plan_ladder(media(1920, 1080, bit_rate=1_000_000))
    bitrates = [r.video_bitrate for r in plan.renditions]
    assert bitrates == [1_000_000, 1_000_000, 1_000_000, 800_000, 400_000]


def test_bitrate_cap_keeps_a_floor() -> None:
    plan = plan_ladder(media(640, 360, bit_rate=20_000))
    assert {r.video_bitrate for r in plan.renditions} == {MIN_VIDEO_BITRATE}


def test_maxrate_and_bufsize_follow_bitrate() -> None:
    for rendition in plan_ladder(media(1920, 1080)).renditions:
        assert rendition.maxrate == round(rendition.video_bitrate * 1.07)
        assert rendition.bufsize == round(rendition.video_bitrate * 1.5)
        assert rendition.audio_bitrate > 0


def test_60fps_scales_bitrate_by_half_again() -> None:
    plan = plan_ladder(media(1920, 1080, fps=60.0))
    assert plan.fps == 60.0
    assert plan.renditions[0].video_bitrate == 7_500_000
    assert plan.renditions[-1].video_bitrate == 600_000


def test_fps_is_capped_at_60() -> None:
    plan = plan_ladder(media(1280, 720, fps=120.0), segment_seconds=4)
    assert plan.fps == 60.0
    assert plan.gop_frames == 240


@pytest.mark.parametrize(
    ("fps", "segment", "gop"),
    [
        (25.0, 4, 100),
        (30.0, 4, 120),
        (30000 / 1001, 4, 120),
        (24000 / 1001, 6, 144),
        (60.0, 2, 120),
    ],
)
def test_gop_is_fps_times_segment_length(fps: float, segment: int, gop: int) -> None:
    plan = plan_ladder(media(640, 360, fps=fps), segment_seconds=segment)
    assert plan.gop_frames == gop
    assert plan.segment_seconds == segment
    assert plan.fps == round(fps, 3)


def test_audio_flag_is_carried_over() -> None:
    assert plan_ladder(media(640, 360, has_audio=True)).has_audio is True
    assert plan_ladder(media(640, 360, has_audio=False)).has_audio is False


def test_segment_length_must_be_positive() -> None:
    with pytest.raises(ValueError):
        plan_ladder(media(640, 360), segment_seconds=0)


def test_storyboard_for_a_short_clip_is_one_small_sheet() -> None:
    board = plan_storyboard(640, 360, 4.0)
    assert (board.interval, board.count, board.columns, board.rows, board.sheets) == (1, 4, 4, 1, 1)
    assert (board.width, board.height) == (160, 90)


def test_storyboard_for_a_long_class_caps_thumbnails() -> None:
    board = plan_storyboard(1920, 1080, 90 * 60.0)
    assert board.interval == 18 and board.count == 300
    assert (board.columns, board.rows, board.sheets) == (10, 10, 3)


def test_storyboard_of_portrait_video_keeps_aspect() -> None:
    board = plan_storyboard(1080, 1920, 30.0)
    assert (board.width, board.height) == (90, 160)


def test_extras_follow_the_source() -> None:
    with_audio = plan_ladder(media(640, 360, has_audio=True))
    silent = plan_ladder(media(640, 360, has_audio=False))
    assert with_audio.shared_audio is not None and with_audio.loudness_target == -16.0
    assert silent.shared_audio is None and silent.loudness_target is None
    assert plan_ladder(media(640, 360), extras=False).storyboard is None


def test_vtt_cues_point_at_tiles() -> None:
    board = Storyboard(interval=2, width=160, height=90, columns=2, rows=2, count=5)
    vtt = storyboard_vtt(board, duration=9.5)
    assert vtt.splitlines()[:4] == [
        "WEBVTT",
        "",
        "00:00:00.000 --> 00:00:02.000",
        "sheet_000.jpg#xywh=0,0,160,90",
    ]
    assert "00:00:06.000 --> 00:00:08.000\nsheet_000.jpg#xywh=160,90,160,90" in vtt
    assert "00:00:08.000 --> 00:00:09.500\nsheet_001.jpg#xywh=0,0,160,90" in vtt
