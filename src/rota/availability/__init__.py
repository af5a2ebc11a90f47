"""Staff availability: free time = working hours minus blocked time, per staff member, for many
staff members and a range of days in one request."""
