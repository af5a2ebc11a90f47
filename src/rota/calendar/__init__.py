"""Schedules and calendar events: working hours (recurring WORKING_HOURS events) and
blocked time."""
