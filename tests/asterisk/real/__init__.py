"""Tests against the real Asterisk 22 of ``../shared/asterisk/server`` on the rendered
configuration (a missing server is a skip, a failure under ``CI=true``)."""
