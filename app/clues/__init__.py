"""Department warnings (部门预警): lists from the departments matched to households as clues
(线索), verified on a visit within a time limit, reviewed, and reported back."""
