"""Asterisk front of the contact centre: AMI bridge, FastAGI IVR, dialplan and config rendering.

- ``panoramisk_adapter``: the only module that imports ``panoramisk``; it fixes the library's
  known traps and puts a time-out on every action (``ami_types``, ``agi_result``: plain types
  and the AGI reply parser).
- ``bridge``, ``call_tracker``, ``agent_states``, ``records``: one AMI connection per server;
  AMI events become the domain's typed events (``models.events``) on the bus, and call records
  are written off the AMI loop.
- ``actions``, ``commands``: pauses, queue membership, supervisors' spying, redirects,
  hang-ups, call-backs and queue-log lines, served as commands by the owning process.
- ``queue_state``: each queue's callers and members, from events and ``QueueStatus``.
- ``fastagi``, ``agi_channel``, ``prompt_audio``: the FastAGI server that drives the shared
  call flow (``ivr.flow``), and the audio it plays.
- ``render``, ``constants``: ``extensions.conf``, ``manager.conf``, ``queues.conf``,
  ``pjsip.conf`` and ``modules.conf`` from the settings, with the names both sides share.
- ``part``, ``cli``: how the container builds it all; ``suac asterisk render|prompts|run``.
"""
