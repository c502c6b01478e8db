"""The web chat: a page at /chat, an embeddable widget, and its JSON API."""
