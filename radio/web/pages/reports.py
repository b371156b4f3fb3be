"""TODO"""

def routes() -> list:
    return []
