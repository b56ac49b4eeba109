print("miso-sim: not built yet")
