"""The application shell: the ``fugitive-alerts`` command line, the local stack (Kafka, mocks) and the demo.

It wires the packages together and may import all of them; nothing imports it back.
"""

from ._loop_option import refuse_unknown_loop

__all__: list[str] = []

refuse_unknown_loop()  # before anything imports Faust, which acts on --loop itself (see _loop_option)
