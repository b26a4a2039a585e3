"""Input channels: how outside clients talk to the Rasa server."""
