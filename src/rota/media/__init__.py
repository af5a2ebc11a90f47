"""Uploaded images (staff photos), checked by content and served back by id."""
