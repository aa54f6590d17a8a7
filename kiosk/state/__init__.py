"""What the player writes into its state folder: status, proof of play, screenshot, logs,
and the one thread that writes them."""
