package io.alstream.connectors.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.alstream.connectors.registry.server.RegistryServer;
import io.alstream.schemas.LabelAnswer;
import io.alstream.schemas.UnlabeledEvent;
import org.junit.jupiter.api.Test;

/**
 * The client's failure handling. Retries and timeouts run against a small real HTTP server that answers
 * what the case needs (a registry cannot be made to fail on cue); the rest against the real registry.
 */
class RegistryClientTest {
    static {
        // the JDK reads its HTTP server settings once per JVM: the production limits, as if one of our servers came first
        io.alstream.connectors.limits.HttpLimits.install();
    }

    private static final RetryPolicy FAST = new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20));

    /** Answers request n (1-based) with status and body from {@code answer}; counts requests. */
    private static final class ScriptedServer implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        final HttpServer http;

        ScriptedServer(IntFunction<Object[]> answer) throws IOException {
            http = HttpServer.create(new InetSocketAddress("localhost", 0), 16);
            http.createContext("/", ex -> {
                Object[] a = answer.apply(requests.incrementAndGet());
                reply(ex, (Integer) a[0], (String) a[1]);
            });
            http.start();
        }

        String url() {
            return "http://localhost:" + http.getAddress().getPort();
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/vnd.schemaregistry.v1+json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Test
    void retriesServerErrorsThenSucceeds() throws IOException {
        try (ScriptedServer s = new ScriptedServer(n -> n <= 2
                ? new Object[] {503, "{\"error_code\":50001,\"message\":\"store busy\"}"}
                : new Object[] {200, "{\"id\":7}"})) {
            SchemaRegistryClient c = SchemaRegistryClient.builder(s.url()).retry(FAST).build();
            assertEquals(7, c.register("x-value", LabelAnswer.getClassSchema()));
            assertEquals(3, s.requests.get());
            // cached: no further request for the same subject and schema
            assertEquals(7, c.register("x-value", LabelAnswer.getClassSchema()));
            assertEquals(3, s.requests.get());
        }
    }

    @Test
    void givesUpAfterTheRetriesWithTheLastError() throws IOException {
        try (ScriptedServer s = new ScriptedServer(n -> new Object[] {500, "{\"error_code\":50001,\"message\":\"store down\"}"})) {
            SchemaRegistryClient c = SchemaRegistryClient.builder(s.url()).retry(FAST).build();
            RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> c.schemaById(1));
            assertEquals(500, e.httpStatus());
            assertEquals(50001, e.errorCode());
            assertEquals(3, s.requests.get(), "1 try + 2 retries");
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws IOException {
        try (ScriptedServer s = new ScriptedServer(n -> new Object[] {404, "{\"error_code\":40401,\"message\":\"Subject 'x' not found.\"}"})) {
            SchemaRegistryClient c = SchemaRegistryClient.builder(s.url()).retry(FAST).build();
            SubjectNotFoundException e = assertThrows(SubjectNotFoundException.class, () -> c.latest("x"));
            assertEquals(40401, e.errorCode());
            assertEquals(1, s.requests.get());
        }
    }

    @Test
    void aNonJsonErrorKeepsItsStatus() throws IOException {
        try (ScriptedServer s = new ScriptedServer(n -> new Object[] {418, "<html>teapot</html>"})) {
            SchemaRegistryClient c = SchemaRegistryClient.builder(s.url()).retry(FAST).build();
            SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> c.subjects());
            assertEquals(418, e.httpStatus());
            assertEquals(418, e.errorCode());
        }
    }

    @Test
    void aRegistryThatDoesNotAnswerTimesOutPerAttempt() throws IOException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger requests = new AtomicInteger();
        HttpServer silent = HttpServer.create(new InetSocketAddress("localhost", 0), 16);
        silent.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        silent.createContext("/", ex -> {
            requests.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        silent.start();
        try {
            SchemaRegistryClient c = SchemaRegistryClient.builder("http://localhost:" + silent.getAddress().getPort())
                    .requestTimeout(Duration.ofMillis(300)).retry(new RetryPolicy(1, Duration.ofMillis(10), Duration.ofMillis(10))).build();
            RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class, () -> c.schemaById(3));
            assertInstanceOf(HttpTimeoutException.class, e.getCause());
            assertEquals(2, requests.get());
        } finally {
            release.countDown();
            silent.stop(0);
        }
    }

    @Test
    void aStoppedRegistryIsUnavailableButCachedSchemasStillServeAndAnotherUrlTakesOver() {
        String topic = SharedKafka.freshTopic();
        RegistryServer first = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(topic).start();
        String deadUrl = first.url();
        SchemaRegistryClient c = SchemaRegistryClient.builder(deadUrl).retry(FAST).build();
        int id = c.register("events-value", UnlabeledEvent.getClassSchema());
        first.close();

        RegistryUnavailableException e = assertThrows(RegistryUnavailableException.class,
                () -> c.register("answers-value", LabelAnswer.getClassSchema()));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals(UnlabeledEvent.getClassSchema(), c.schemaById(id), "served from the cache");

        try (RegistryServer second = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(topic).start()) {
            SchemaRegistryClient failover = SchemaRegistryClient.builder(deadUrl, second.url()).retry(FAST).build();
            assertEquals(id, failover.latest("events-value").id());
        }
    }

    @Test
    void basicAuthIsRequiredWhenConfigured() {
        try (RegistryServer s = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic())
                .basicAuthUser("alice", "wonder").start()) {
            RegistryAuthException none = assertThrows(RegistryAuthException.class,
                    () -> SchemaRegistryClient.builder(s.url()).build().subjects());
            assertEquals(401, none.httpStatus());
            assertThrows(RegistryAuthException.class,
                    () -> SchemaRegistryClient.builder(s.url()).basicAuth("alice", "wrong").build().subjects());
            assertThrows(RegistryAuthException.class,
                    () -> SchemaRegistryClient.builder(s.url()).basicAuth("bob", "wonder").build().subjects());
            SchemaRegistryClient alice = SchemaRegistryClient.builder(s.url()).basicAuth("alice", "wonder").build();
            int id = alice.register("events-value", UnlabeledEvent.getClassSchema());
            assertEquals(UnlabeledEvent.getClassSchema(), alice.schemaById(id));
        }
    }

    @Test
    void configuredFromKafkaStyleProperties() {
        try (RegistryServer s = RegistryServer.builder(SharedKafka.bootstrap()).port(0).topic(SharedKafka.freshTopic())
                .basicAuthUser("svc", "pw").start()) {
            SchemaRegistryClient c = SchemaRegistryClient.fromConfig(java.util.Map.of(
                    RegistryClientConfig.URL, s.url(),
                    RegistryClientConfig.BASIC_AUTH_USER_INFO, "svc:pw",
                    RegistryClientConfig.MAX_RETRIES, "1",
                    RegistryClientConfig.REQUEST_TIMEOUT_MS, 5000));
            assertEquals(CompatibilityLevel.BACKWARD, c.globalCompatibility());
        }
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SchemaRegistryClient.fromConfig(java.util.Map.of()));
        assertEquals(true, missing.getMessage().contains(RegistryClientConfig.URL));
    }
}
