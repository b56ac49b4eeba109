print("scraper: not built yet")
