"""Helpers the tests share. Test modules import from here; fixtures come through
``tests/conftest.py`` (some modules below are plugins it lists in ``pytest_plugins``).
No test module imports another test module: ``tests/test_suite_rules.py`` keeps it so.

``waiting``        ``wait_until(predicate, timeout, message)``: poll instead of sleeping
``clock``          the ``clock`` fixture: time-machine, stopped at now, moved by the test
``auth``           ``Auth`` (CSRF tokens, sign-in through the test client), ``sign_in``
``factories``      users, tokens, ready videos, cohort recordings straight in the database
``paths``          ``ROOT`` of the repository
``browser``        Chromium settings, ``Tab`` and the ``tab`` / ``open_tab`` fixtures
``captions``       the ``captioned_lesson`` fixture and the caption page conditions
``a11y``           axe-core results: which violations block, how to describe them
``liveserver``     ``serve(app)``: the app over real HTTP on a free port
``ports``          ``free_port()``
``s3server``       a real SeaweedFS S3 server (the ``s3_server`` fixture)
``transcode``      wait for a transcode job, check a published ladder
``jobs``           a queued transcode job, as the job tests start from
``uploads``        the resumable-upload client (``UploadApi``) and padded MP4s
``heartbeat_load`` learners beating over real HTTP, and the no-lost-beat check
``querycount``     the SQL statements a block of code runs
``isolation``      a database and Redis of its own per xdist worker
``matrix_world``   the route matrix's world: every role and object once
``matrix_callers`` the route matrix's callers (one per role)
``route_matrix``   every route with its access rule
"""
