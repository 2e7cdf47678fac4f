"""Plain aiokafka consumers and Kafka admin: the alert dispatcher, topic set-up, inspection tools."""

from .admin import BrokerUnavailable, ensure_topics, topic_specs, wait_for_broker
from .delivery_log import DeliveryLog
from .dispatcher import Dispatcher
from .replay import replay_partitions
from .responses import await_responses

__all__ = ["BrokerUnavailable", "DeliveryLog", "Dispatcher", "await_responses", "ensure_topics", "replay_partitions",
           "topic_specs", "wait_for_broker"]
