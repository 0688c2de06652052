"""``suac demo``: the whole system on one machine, with simulated telephony and traffic."""
