"""Glue between transcode jobs and the transcoder: run a job, publish its outputs."""
