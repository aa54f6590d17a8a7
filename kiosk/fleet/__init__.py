"""The province fleet on Syncthing: the hub's commands and a player's joining side.

Nothing in the player imports this package except `kiosk.fleet.guard`, lazily, from the
probe: a player without a hub is unchanged.
"""
