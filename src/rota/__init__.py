"""Rota: staff members, working hours, blocked time and availability for booking businesses."""
