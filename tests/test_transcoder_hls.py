"""Pure HLS playlist helpers: master playlists with an audio group, virtual clip playlists."""

import pytest

from transcoder.hls import (
    CLIP_TAG,
    audio_playlist_uri,
    clip_media_playlist,
    event_to_vod,
    parse_master,
    parse_media_segments,
    parse_media_tags,
)

PARENT = "\n".join(
    [
        "#EXTM3U",
        "#EXT-X-VERSION:6",
        "#EXT-X-TARGETDURATION:4",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        *[f"#EXTINF:4.000000,\nseg_{i:05d}.ts" for i in range(10)],
        "#EXTINF:2.500000,",
        "seg_00010.ts",
        "#EXT-X-ENDLIST",
    ]
)


def test_clip_keeps_only_overlapping_segments_with_exact_range() -> None:
    text = clip_media_playlist(PARENT, 9.5, 17.25, "/videos/7/hls/360p/")
    uris = [s.uri for s in parse_media_segments(text)]
    assert uris == [f"/videos/7/hls/360p/seg_{i:05d}.ts" for i in (2, 3, 4)]
    assert "#EXT-X-START:TIME-OFFSET=1.500,PRECISE=YES" in text
    assert f"{CLIP_TAG}:START=9.500,END=17.250,OFFSET=8.000" in text
    assert "#EXT-X-MEDIA-SEQUENCE:2" in text and text.rstrip().endswith("#EXT-X-ENDLIST")


def test_clip_on_segment_boundaries_has_no_extra_segment() -> None:
    text = clip_media_playlist(PARENT, 8.0, 16.0, "")
    assert [s.uri for s in parse_media_segments(text)] == ["seg_00002.ts", "seg_00003.ts"]


def test_clip_at_the_end_uses_the_short_last_segment() -> None:
    text = clip_media_playlist(PARENT, 41.0, 42.5, "")
    assert [s.uri for s in parse_media_segments(text)] == ["seg_00010.ts"]


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 2), (-1, 3), (50, 60)])
def test_bad_ranges_are_refused(start: float, end: float) -> None:
    with pytest.raises(ValueError):
        clip_media_playlist(PARENT, start, end, "")


def test_event_to_vod_needs_a_finished_playlist() -> None:
    assert "TYPE:VOD" in event_to_vod("#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-ENDLIST\n")
    with pytest.raises(ValueError):
        event_to_vod("#EXT-X-PLAYLIST-TYPE:EVENT\n")


MASTER_WITH_AUDIO_GROUP = """#EXTM3U
#EXT-X-VERSION:6
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_audio",NAME="audio_2",DEFAULT=YES,CHANNELS="2",URI="audio/index.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=423375,RESOLUTION=1280x720,CODECS="avc1.42c01f,mp4a.40.2",AUDIO="group_audio"
720p/index.m3u8

#EXT-X-STREAM-INF:BANDWIDTH=112047,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2",AUDIO="group_audio"
360p/index.m3u8
"""


def test_audio_group_member_is_a_media_tag_not_a_variant() -> None:
    assert [v.name for v in parse_master(MASTER_WITH_AUDIO_GROUP)] == ["720p", "360p"]
    tags = parse_media_tags(MASTER_WITH_AUDIO_GROUP)
    assert [(t.type, t.group, t.name, t.uri) for t in tags] == [
        ("AUDIO", "group_audio", "audio_2", "audio/index.m3u8")
    ]
    assert audio_playlist_uri(MASTER_WITH_AUDIO_GROUP) == "audio/index.m3u8"


def test_no_audio_uri_when_the_variants_carry_their_own() -> None:
    muxed = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1,mp4a.40.2"\n360p/index.m3u8\n'
    assert audio_playlist_uri(muxed) is None
    # EXT-X-MEDIA-SEQUENCE (media playlists) is not an EXT-X-MEDIA tag.
    assert parse_media_tags("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:3\n" + PARENT) == []
    # A group member without a URI (audio inside the variants) names no playlist.
    inline = '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="main",DEFAULT=YES\n'
    assert audio_playlist_uri(inline) is None
