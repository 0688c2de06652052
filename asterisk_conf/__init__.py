"""asterisk_conf package."""
