"""Sites (tenants), API keys and the permissions they carry."""
