"""The program itself: the composition root, the process roles and the ``suac`` command line.

It sits above the design's folders (``models``, ``ivr``, ``agent_console``); none of them
imports it.
"""
