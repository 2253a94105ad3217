"""Pure ffmpeg core of Learnstream's video pipeline.

The flow is probe -> plan (pure) -> argv (pure) -> run (the only module that spawns
ffmpeg). Publishing to storage and job bookkeeping live elsewhere; this package knows
nothing about Flask, the database, Celery or object storage.
"""
