"""Mexican numbers in E.164, and SMS only to numbers that can receive one."""

from __future__ import annotations

import doctest

import pytest

import ivr.phones
from ivr.phones import can_receive_sms, to_e164
from ivr.twilio.messaging import MessageWebhook


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("+525512345678", "+525512345678"),
        ("5512345678", "+525512345678"),
        ("(55) 1234-5678", "+525512345678"),
        ("+52 1 55 1234 5678", "+525512345678"),  # the mobile prefix Mexico dropped
        ("+1 202 555 0123", "+12025550123"),
        ("anonymous", "anonymous"),
        ("", ""),
        ("whatsapp:+5215512345678", "whatsapp:+5215512345678"),
        ("0311", "0311"),
    ],
)
def test_numbers_in_e164(raw: str, e164: str) -> None:
    assert to_e164(raw) == e164


@pytest.mark.parametrize(
    ("phone", "textable"),
    [
        ("+525512345678", True),
        ("+523312345678", True),
        ("+5215512345678", True),
        ("+528001234567", False),  # toll-free
        ("+12025550123", False),  # not Mexican
        ("+52551234567", False),  # a digit short
        ("anonymous", False),
        ("whatsapp:+5215512345678", False),  # WhatsApp is not SMS
    ],
)
def test_only_mexican_numbers_that_may_be_mobiles_take_sms(phone: str, textable: bool) -> None:
    assert can_receive_sms(phone) is textable


def test_an_sms_sender_arrives_in_e164() -> None:
    hook = MessageWebhook.model_validate({"From": "+5215512345678", "Body": "hola"})
    assert hook.sender == "+525512345678"


def test_examples_in_docstrings() -> None:
    assert doctest.testmod(ivr.phones).failed == 0
