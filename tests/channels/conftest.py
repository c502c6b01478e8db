"""The fake provider servers, for the tests that use several channels at once."""

from tests.channels.telegram.conftest import fake_telegram
from tests.channels.twilio.conftest import fake_twilio

__all__ = ["fake_telegram", "fake_twilio"]
