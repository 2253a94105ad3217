"""x264/AAC encoder settings for the ladder (pure; chosen by measurement in bench/).

``encoder_options`` reads the module constants at call time, so ``bench/explore.py``
can try alternatives by patching them. See bench/README.md for the measurements.
"""

from __future__ import annotations

from transcoder.plan import Plan, Rendition

AUDIO_SAMPLE_RATE = 48_000
AUDIO_CHANNELS = 2
# Lecture settings, measured with bench/transcode.py and bench/explore.py against
# PeerTube's veryfast at capped CRF 23, at equal quality (bench/README.md): ultrafast,
# with macroblock-tree rate control switched back on (still slides gain most from it:
# the keyframe every segment starts with gets the bits, the static frames after it are
# nearly free; ultrafast's 3.2x bytes at the same CRF come mostly from turning it off),
# at CRF 26. On a 30 s lecture that cost 0.78x the CPU of the previous superfast/CRF 23
# settings with every rung's SSIM within 0.0008 of PeerTube's and the ladder's bytes
# (shared audio included) 1.16x. Deblocking back on cost 8 % more CPU for +0.0002-0.0004
# SSIM on the lower rungs.
X264_PRESET = "ultrafast"
# Extra x264 settings on top of the preset ("key=value:key=value"), or "" for none.
X264_PARAMS = "mbtree=1:rc-lookahead=10"
# "crf": constant quality capped by each rendition's maxrate/bufsize (what PeerTube
# does); "abr": average bit rate = the rendition's video_bitrate, same cap. On lecture
# recordings (mostly still slides) capped CRF (23, with veryfast) halved the ladder's
# bytes for SSIM >= 0.996 on every rung and encoded a little faster than ABR.
RATE_CONTROL = "crf"
CRF = 26
# Frame threads per x264 encoder when several share one process; None keeps x264's
# own choice. ffmpeg 7 and later (the static ffmpeg 9 we run) give every encoder its own
# thread, so one x264 thread per rung keeps both cores busy without frame-threading
# overhead: 0.58-0.69x of PeerTube's per-rendition CPU against 0.68-0.70x with x264's
# choice, interleaved rounds (bench/README.md). ffmpeg 5.1 (FFMPEG_BINARY=/usr/bin/ffmpeg)
# encodes on its main thread instead, where 1 is much slower: set None there.
X264_THREADS: int | None = 1
# Scale each rung from the one above (True) or every rung from the source (False),
# and the swscale kernel: bilinear blurs slide text, so it is not the default.
# Cascading cut the single command's wall time by about a third on 2 cores (the
# filter graph runs on ffmpeg 5.1's main thread) with equal or better SSIM.
CASCADE_SCALING = True
SCALE_FLAGS = "bicubic"


def encoder_options(plan: Plan) -> dict[str, object]:
    """Output options shared by every rendition, plus per-stream ``:v:i``/``:a:i`` ones.

    One audio encoder (``a:0``) when the plan shares its audio, else one per rung.
    """
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
    if X264_PARAMS:
        options["x264-params"] = X264_PARAMS
    if RATE_CONTROL == "crf":
        options["crf"] = CRF
    threads = x264_threads(len(plan.renditions))
    if threads is not None:
        options["threads:v"] = threads
    for index, rendition in enumerate(plan.renditions):
        options.update(_rendition_options(index, rendition))
    if plan.has_audio:
        options.update({"c:a": "aac", "ar": AUDIO_SAMPLE_RATE, "ac": AUDIO_CHANNELS})
        if plan.shared_audio is not None:
            options["b:a:0"] = plan.shared_audio.bitrate
        else:
            for index, rendition in enumerate(plan.renditions):
                options[f"b:a:{index}"] = rendition.audio_bitrate
    return options


def x264_threads(encoders: int) -> int | None:
    """Frame threads for each of ``encoders`` x264 instances sharing one process.

    A single encoder keeps x264's own choice (None). Otherwise ``X264_THREADS`` when
    set, else None as well.
    """
    if encoders <= 1 or X264_THREADS is None:
        return None
    return X264_THREADS


def _rendition_options(index: int, rendition: Rendition) -> dict[str, object]:
    # With ``crf`` set, ffmpeg's libx264 wrapper uses CRF and ignores ``b:v`` for rate
    # control (checked: identical output); ``b:v`` still sets the stream's nominal bit
    # rate, which the hls muxer advertises as BANDWIDTH.
    return {
        f"b:v:{index}": rendition.video_bitrate,
        f"maxrate:v:{index}": rendition.maxrate,
        f"bufsize:v:{index}": rendition.bufsize,
        f"profile:v:{index}": "high" if rendition.height >= 720 else "main",
    }
