"""Asterisk front of the contact centre: AMI bridge, FastAGI IVR, dialplan and config rendering.

- ``panoramisk_adapter``: the only module that imports ``panoramisk``; it fixes the library's
  known traps and puts a time-out on every action.
- ``bridge`` / ``call_tracker``: one AMI connection per server; AMI events become the domain's
  typed events (``models.events``) on the bus, and call records are written off the AMI loop.
- ``actions``: pause, queue membership, supervisor spying, redirect and hang-up.
- ``fastagi``: the FastAGI server that drives the shared call flow (``ivr.flow``).
- ``render``: ``extensions.conf``, ``manager.conf``, ``queues.conf``, ``pjsip.conf`` and
  ``modules.conf`` from the settings; ``constants`` holds the names both sides share.
"""
