"""Areas: the county → township → village → group hierarchy every record lives in."""
