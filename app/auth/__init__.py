"""Users, roles, sign-in, and the area scope every query of people's data goes through."""
