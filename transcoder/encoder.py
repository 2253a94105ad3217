"""x264/AAC encoder settings for the ladder (pure; chosen by measurement in bench/)."""

from __future__ import annotations

from transcoder.plan import Plan, Rendition

AUDIO_SAMPLE_RATE = 48_000
AUDIO_CHANNELS = 2
X264_PRESET = "veryfast"
# Scale each rung from the one above (True) or every rung from the source (False),
# and the swscale kernel: bilinear blurs slide text, so it is not the default.
CASCADE_SCALING = False
SCALE_FLAGS = "bicubic"


def encoder_options(plan: Plan) -> dict[str, object]:
    """Output options shared by every rendition, plus per-stream ``:v:i``/``:a:i`` ones."""
    options: dict[str, object] = {
        "c:v": "libx264",
        "preset": X264_PRESET,
        "pix_fmt": "yuv420p",
        "g": plan.gop_frames,
        "keyint_min": plan.gop_frames,
        "sc_threshold": 0,
        "map_metadata": -1,
        "map_chapters": -1,
        "sn": None,
        "dn": None,
        # A split filter graph feeding N encoders can outpace the muxer at start-up.
        "max_muxing_queue_size": 4096,
    }
    for index, rendition in enumerate(plan.renditions):
        options.update(_rendition_options(index, rendition))
    if plan.has_audio:
        options.update({"c:a": "aac", "ar": AUDIO_SAMPLE_RATE, "ac": AUDIO_CHANNELS})
        for index, rendition in enumerate(plan.renditions):
            options[f"b:a:{index}"] = rendition.audio_bitrate
    return options


def _rendition_options(index: int, rendition: Rendition) -> dict[str, object]:
    return {
        f"b:v:{index}": rendition.video_bitrate,
        f"maxrate:v:{index}": rendition.maxrate,
        f"bufsize:v:{index}": rendition.bufsize,
        f"profile:v:{index}": "high" if rendition.height >= 720 else "main",
    }
