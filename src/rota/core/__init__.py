"""The kernel every domain builds on: database access, ORM base types, errors, time.

Imports no domain."""
