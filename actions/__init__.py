"""The rasa-sdk action server: thin actions over the pure helpers in `bot`."""
