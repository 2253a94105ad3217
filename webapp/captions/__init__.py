"""Captions: instructors upload WebVTT or SRT tracks per language (converted, validated and
made inert), learners pick a language (remembered in their preferences) and read a
transcript beside the video; cue text feeds the catalogue search."""

from webapp.captions.views import bp

__all__ = ["bp"]
