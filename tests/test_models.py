"""The video lifecycle is an explicit state machine."""

import pytest

from webapp.models import InvalidTransition, Video, VideoState

ALLOWED = [
    (VideoState.UPLOADING, VideoState.UPLOADED),
    (VideoState.UPLOADED, VideoState.PROCESSING),
    (VideoState.PROCESSING, VideoState.READY),
    (VideoState.PROCESSING, VideoState.FAILED),
    (VideoState.PROCESSING, VideoState.UPLOADED),
    (VideoState.READY, VideoState.PROCESSING),
    (VideoState.FAILED, VideoState.PROCESSING),
]
REFUSED = [
    (VideoState.UPLOADING, VideoState.READY),
    (VideoState.UPLOADING, VideoState.PROCESSING),
    (VideoState.UPLOADED, VideoState.READY),
    (VideoState.READY, VideoState.FAILED),
    (VideoState.READY, VideoState.UPLOADING),
    (VideoState.FAILED, VideoState.READY),
]


@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_allowed_transitions(start: VideoState, end: VideoState) -> None:
    video = Video(id=1, title="t", owner_id=1, state=start.value)
    video.transition(end)
    assert video.state == end.value


@pytest.mark.parametrize(("start", "end"), REFUSED)
def test_refused_transitions_leave_state_unchanged(start: VideoState, end: VideoState) -> None:
    video = Video(id=1, title="t", owner_id=1, state=start.value)
    with pytest.raises(InvalidTransition):
        video.transition(end)
    assert video.state == start.value
