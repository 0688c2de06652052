"""Constants shared by the Twilio tests (a plain module: ``conftest`` names are ambiguous)."""

PUBLIC = "https://locatel.example.mx"
TOKEN = "test-auth-token"
ACCOUNT = "AC" + "1" * 32
