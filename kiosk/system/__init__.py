"""The operating system side: the systemd unit and notify protocol, display power and
blanking, waiting for the display, malloc tuning and thread priority."""
