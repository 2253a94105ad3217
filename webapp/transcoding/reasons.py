"""The sentence a person reads when a transcode or an export stops: never an exit code.

Transient problems are worded without "will be tried again": the job's ``error`` says
``retrying after: <sentence>`` while it is retried, and after the last attempt
"Tried 3 times without success. The last problem: <sentence>".

The technical detail (ffmpeg's exit code and the tail of its stderr, the storage error,
a traceback) goes to the worker's log; the job's ``error`` gets :func:`user_reason`.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from transcoder.errors import SERVER_PROBLEM, InvalidMedia, TranscodeError
from webapp.storage import ObjectNotFound, StorageError

STORE_DOWN = "The media store could not be reached."
DATABASE_DOWN = "The database could not be reached."
TIMED_OUT = "A step of the job took longer than it should."
SOURCE_MISSING = "The uploaded source is missing from storage; upload it again."
PART_MISSING = (
    "Part of the published recording is missing from storage; transcode the recording "
    "again, then export the clip."
)


def user_reason(exc: BaseException) -> str:
    """Why the job stopped, in words an instructor understands."""
    if isinstance(exc, InvalidMedia):
        return f"The recording could not be used: {exc}"
    if isinstance(exc, TranscodeError):
        return exc.reason
    if isinstance(exc, ObjectNotFound):
        return SOURCE_MISSING
    if isinstance(exc, StorageError):
        return STORE_DOWN
    if isinstance(exc, OperationalError):
        return DATABASE_DOWN
    if isinstance(exc, TimeoutError):
        return TIMED_OUT
    return SERVER_PROBLEM
