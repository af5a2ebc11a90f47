"""Alembic migrations, shipped inside the package so `rota migrate` works from any directory."""
