"""Households and their members (DOMAIN.md §4): the roster every census visit starts from."""
