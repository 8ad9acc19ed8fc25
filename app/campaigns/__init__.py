"""Census rounds: campaigns, their monitoring thresholds, and enumerator assignments."""
