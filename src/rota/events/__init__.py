"""Domain events, the transactional outbox, and webhooks that deliver them.

Domains hand events in as data (`outbox.record`); this package imports no domain.
"""
