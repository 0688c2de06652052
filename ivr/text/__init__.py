"""The text front: SMS and WhatsApp conversations driven by the same call flow as the calls.

* :mod:`ivr.text.flow` builds the flow for messages (prompts written to be read, no call
  events);
* :mod:`ivr.text.store` keeps each sender's conversation like a call's state (database or
  Redis), one message at a time, forgotten after a while without messages;
* :mod:`ivr.text.render` writes a turn as a message;
* :mod:`ivr.text.front` turns each message into the flow's input and its turn into the reply.

The messaging webhook (:mod:`ivr.twilio.messaging`) answers folio look-ups and the 72-hour
confirmation itself and gives every other message to :class:`TextFront`.
"""

from ivr.text.flow import text_flow
from ivr.text.front import TextFront
from ivr.text.store import ConversationStore

__all__ = ["ConversationStore", "TextFront", "text_flow"]
