"""The citizen the public face's privacy tests seed: what of her may never be shown."""

from __future__ import annotations

ROSA_SECRETS = ("Rosa", "Martínez", "5511112222", "rosa@example", "Calle Secreta")
