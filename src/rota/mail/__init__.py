"""Outgoing e-mail: SMTP when configured, otherwise `.eml` files under var/mail for offline use."""
