"""The scripted AMI peer of the tests: the simulated Asterisk's protocol
(:class:`ivr.asterisk.ami_peer.AmiPeer`), faithful to Asterisk 22 where the recorded
transcripts do not reach. Tests set its channels and queue, push events, and drop the
connection at will; queue members are state that ``QueueAdd``, ``QueueRemove`` and
``QueuePause`` change, answered as Asterisk answers, each followed by its ``QueueMember*`` event.
"""

from __future__ import annotations

from ivr.asterisk.ami_peer import BANNER, AmiPeer, Headers, channel, frame, parse_frame

FakeAmi = AmiPeer

__all__ = ["BANNER", "FakeAmi", "Headers", "channel", "frame", "parse_frame"]
