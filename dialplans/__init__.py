"""dialplans package."""
