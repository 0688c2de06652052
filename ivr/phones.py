"""Phone numbers as the service keeps them: E.164 (``+525512345678``), read with ``phonenumbers``
in Mexico's numbering plan, and which of them can receive an SMS.

    >>> to_e164("55 1234 5678"), to_e164("+52 1 55 1234 5678"), to_e164("anonymous")
    ('+525512345678', '+525512345678', 'anonymous')
    >>> can_receive_sms("+525512345678"), can_receive_sms("+528001234567")
    (True, False)
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberType

REGION = "MX"
WHATSAPP = "whatsapp:"
LEGACY_MOBILE = "1"  # "+52 1 …": the mobile prefix Mexico dropped in 2019, still sent by some
TEXTABLE = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _parse(raw: str) -> PhoneNumber | None:
    """A valid number (national numbers read as Mexican), or None."""
    try:
        number = phonenumbers.parse(raw, REGION)
    except NumberParseException:
        return None
    national = str(number.national_number)
    legacy = number.country_code == 52 and len(national) == 11
    if legacy and national.startswith(LEGACY_MOBILE) and not phonenumbers.is_valid_number(number):
        number = PhoneNumber(country_code=52, national_number=int(national[1:]))
    return number if phonenumbers.is_valid_number(number) else None


@lru_cache(maxsize=8192)  # parsing costs tens of microseconds; callers and senders repeat
def to_e164(raw: str) -> str:
    """``raw`` in E.164 when it is a valid number; anything else (a withheld caller, a SIP
    name, a WhatsApp address) as it came."""
    raw = raw.strip()
    number = None if raw.startswith(WHATSAPP) else _parse(raw)
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) if number else raw
    )


def can_receive_sms(phone: str) -> bool:
    """A Mexican number that may be a mobile (Mexico's plan rarely tells mobile from fixed)."""
    number = None if phone.startswith(WHATSAPP) else _parse(phone)
    if number is None or phonenumbers.region_code_for_number(number) != REGION:
        return False
    return phonenumbers.number_type(number) in TEXTABLE
