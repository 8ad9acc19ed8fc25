"""County administration pages: areas, users, campaigns and thresholds, assignments."""
