package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.alstream.connectors.broker.client.WorkerClient;
import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.registry.server.RegistryServer;
import org.junit.jupiter.api.Test;

/** The standalone entry: options in, a broker serving until its thread is interrupted, then gone. */
class LabelBrokerMainTest {
    @Test
    void runServesUntilInterruptedThenStops() throws Exception {
        BrokerTestKafka.registry(); // the shared registry is running
        String s = BrokerTestKafka.suffix();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (RegistryServer registry = RegistryServer.builder(BrokerTestKafka.bootstrap()).port(0).topic("_schemas-main-" + s).start()) {
            String secret = "standalone-secret-0123456789";
            LabelBrokerOptions options = new LabelBrokerOptions(BrokerTestKafka.bootstrap(), registry.url())
                    .applicationId("broker-main-" + s).requestsTopic("requests-main-" + s).answersTopic("answers-main-" + s)
                    .labelsTopic("labels-main-" + s).deadLetterTopic("dead-letters-main-" + s)
                    .tokenSecret(secret).httpPort(port);
            Thread runner = new Thread(() -> LabelBrokerMain.run(options), "broker-main");
            runner.start();
            URI base = URI.create("http://localhost:" + port + "/");
            WorkerClient w = new WorkerClient(base, "w1", WorkerTokens.derive(secret, "w1")).retryFor(Duration.ofSeconds(60));
            assertEquals("w1", w.stats().workerId, "served (the client retries while it starts)");
            assertEquals(java.util.Optional.empty(), w.next(), "no requests yet");

            runner.interrupt();
            runner.join(60_000);
            assertEquals(false, runner.isAlive());
            HttpClient http = HttpClient.newHttpClient();
            assertThrows(ConnectException.class, () -> http.send(HttpRequest.newBuilder(base.resolve("health")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
    }
}
