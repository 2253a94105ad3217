"""The video manager: instructors list, edit and delete their recordings ("My videos"),
admins everyone's ("All videos"); the same writes back ``PATCH``/``DELETE
/api/v1/videos/<id>``."""

from webapp.videos.views import bp

__all__ = ["bp"]
