"""A believable demo county, generated deterministically from a seed."""
