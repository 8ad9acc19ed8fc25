"""Reports: dashboards over the user's areas (county → township → village), and exports."""
