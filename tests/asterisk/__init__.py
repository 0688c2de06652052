"""Tests of the Asterisk front (ivr.asterisk, dialplans, asterisk_conf)."""
