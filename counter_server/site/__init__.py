"""The citizens' booking site: server-rendered pages with forms, JavaScript only improves them."""
