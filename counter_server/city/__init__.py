"""The city layer: an office's events to NATS JetStream, and the city's PostgreSQL read model.

Office side: `outbox` (a row per event, in the event's own transaction) and `publisher`.
City side: `readmodel` (the PostgreSQL schema and how each event lands) and `consumer`.
"""
