/**
 * The label broker (DESIGN §5): a Kafka Streams service between the label-requests and labels topics,
 * with the HTTP API crowd workers use. {@link io.alstream.connectors.broker.LabelBroker} runs it
 * (embedded or, through {@link io.alstream.connectors.broker.LabelBrokerMain}, standalone);
 * {@link io.alstream.connectors.broker.topology.LabelBrokerTopology#build} is the topology;
 * {@code aggregation} holds majority vote and the Dawid–Skene models; {@code http} the worker API;
 * {@code client} the Java client and a simulated crowd. See {@code connectors/label-broker/label-broker.md}.
 */
package io.alstream.connectors.broker;
