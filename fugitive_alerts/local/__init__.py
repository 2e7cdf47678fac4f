"""The local stack: what runs on this machine for the demo, the tests and the benchmarks.

| module | what |
|---|---|
| :mod:`.jars` | the Apache Kafka jars, fetched once from Maven Central (``maven/pom.xml``) |
| :mod:`.kafka` | :class:`~.kafka.LocalBroker`: a KRaft broker on 127.0.0.1 |
| :mod:`.services` | detached background processes with pid and log files, free ports, deadlines |
| :mod:`.smtp_catcher` | a real SMTP server (aiosmtpd) that keeps what it receives |
| :mod:`.twilio_mock` | Prism serving Twilio's official OpenAPI spec |
| :mod:`.stack` | all of the above plus a worker and a dispatcher, for ``fugitive-alerts demo`` |

Nothing here is used by the worker or the dispatcher in production.
"""
