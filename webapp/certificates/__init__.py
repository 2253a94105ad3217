"""Certificates: issued once when a learner completes a program, downloadable as a PDF,
and verifiable by anyone through a public code."""

from webapp.certificates.views import bp

__all__ = ["bp"]
