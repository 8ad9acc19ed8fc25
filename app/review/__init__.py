"""Record review (审核): the village reviewer approves or returns what enumerators submit."""
