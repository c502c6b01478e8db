"""Twilio: SMS, MMS and WhatsApp. ``TwilioAdapter`` parses, checks, fetches and sends;
``channels.twilio.views.twilio_blueprint`` is the webhook."""

from channels.twilio.adapter import TwilioAdapter
from channels.twilio.parse import DeliveryUpdate, parse_inbound, parse_status

__all__ = ["DeliveryUpdate", "TwilioAdapter", "parse_inbound", "parse_status"]
