"""The reporting app's commands: `generate_data`."""
