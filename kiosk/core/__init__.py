"""Pure core: decides what plays. No Qt, no libVLC, no watchdog, no filesystem access."""
