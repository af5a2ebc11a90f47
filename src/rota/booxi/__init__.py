"""The Booxi dialect: the Booxi Staff API (``/booking/v1``) over Rota's staff members, with the
merchants, head-office groups, templates, user access, module links and staff schedules Booxi
adds. Booxi depends on the domains; no domain imports it."""
