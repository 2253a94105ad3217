"""Graded exams: a question bank per exam, timed attempts graded by the server, results
for certificates and reports, item analysis, and the moments that explain wrong answers.

``marking`` (grading an attempt), ``analysis`` (item analysis) and ``moments`` (wrong
answer → moment) are pure; ``attempts`` holds the writes of an attempt, ``bank`` those
of the question bank; ``api``, ``views`` and ``manage_views`` are the routes.
"""
