"""In-video quizzes: questions at moments of a video, answered in the player.

Authoring (``views.py``, ``forms.py``, the instructor routes of ``api.py``), the learner's
routes (``api.py``), writes (``services.py``), reads (``queries.py``); marking is
``webapp/grading.py``'s.
"""
