"""Herning Kommune's Danish chatbot for parents: the project's own package."""
