"""The application shell: the ``fugitive-alerts`` command line, the local stack (Kafka, mocks) and the demo.

It wires the packages together and may import all of them; nothing imports it back.
"""

__all__: list[str] = []
