"""The home page, health check and error pages."""
