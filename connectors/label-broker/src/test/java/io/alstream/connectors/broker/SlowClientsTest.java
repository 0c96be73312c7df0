package io.alstream.connectors.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.alstream.connectors.broker.http.WorkerTokens;
import io.alstream.connectors.corpus.RawHttp;
import io.alstream.connectors.limits.HttpLimits;
import org.junit.jupiter.api.Test;

/**
 * Slow clients against both HTTP servers at once, the worker API and the registry: 64 connections that trickle their
 * headers and 64 that trickle their body (past authentication, so the server is reading it) on each. A normal request
 * to each server is still answered while they hang on, and the server closes every slow socket itself (its request time
 * limit, {@link HttpLimits#REQUEST_TIMEOUT_S} s). No assertion on speed: the latency of the normal requests is printed.
 */
class SlowClientsTest {
    private static final int SLOW = 64;

    @Test
    void slowHeadersAndSlowBodiesDoNotStopOthersAndAreClosedByTheServer() throws Exception {
        assertEquals(HttpLimits.REQUEST_TIMEOUT_S, HttpLimits.requestTimeoutSeconds(), "the limits our servers install");
        BrokerSerdes serdes = BrokerTestKafka.serdes();
        BrokerConfig config = BrokerTestKafka.freshConfig("slow").build();
        String token = "slow-token-0123456789";
        try (LabelBroker broker = BrokerTestKafka.startBroker(serdes, config, WorkerTokens.of(Map.of("w", token)))) {
            URI api = broker.httpUri();
            URI registry = URI.create(BrokerTestKafka.registryUrl());
            long before = timed(api, "/health", Map.of()) + timed(registry, "/subjects", Map.of());

            List<Trickler> slow = new ArrayList<>();
            for (int i = 0; i < SLOW; i++) {
                slow.add(new Trickler(api, "GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: "));
                slow.add(new Trickler(api, "POST /v1/workers/w/tasks/r" + i + "/answer HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        + token + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"label\": "));
                slow.add(new Trickler(registry, "GET /subjects HTTP/1.1\r\nHost: x\r\nX-Slow: "));
                slow.add(new Trickler(registry, "POST /subjects/s" + i + "/versions HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        + "application/json\r\nContent-Length: 1000\r\n\r\n{\"schema\": "));
            }
            for (Trickler t : slow) {
                t.start();
            }
            Thread.sleep(2_000); // every slow socket has sent its first bytes and holds a server thread
            long apiNanos = timed(api, "/health", Map.of());
            long statsNanos = timed(api, "/v1/workers/w/stats", Map.of("Authorization", "Bearer " + token));
            long registryNanos = timed(registry, "/subjects", Map.of());
            int stillOpen = (int) slow.stream().filter(t -> t.closed.getCount() > 0).count();
            System.out.printf("normal requests with %d slow sockets open: worker API /health %.0f ms, stats %.0f ms, registry %.0f ms"
                    + " (both without them: %.0f ms)%n", stillOpen, apiNanos / 1e6, statsNanos / 1e6, registryNanos / 1e6, before / 1e6);
            assertTrue(stillOpen > SLOW, "the slow sockets were still open while the normal requests were answered: " + stillOpen);

            long deadline = System.nanoTime() + Duration.ofSeconds(HttpLimits.REQUEST_TIMEOUT_S + 60L).toNanos();
            for (Trickler t : slow) {
                long left = Math.max(0, deadline - System.nanoTime());
                assertTrue(t.closed.await(left, TimeUnit.NANOSECONDS) && t.byServer, "the server closes a slow socket: " + t.head);
            }
            assertEquals(0, slow.stream().filter(t -> t.answered.get() == 200).count(), "no slow request was served as complete");
            assertEquals(200, RawHttp.send(api, "GET", "/health", Map.of(), null, Duration.ofSeconds(30)).status(), "still serving");
        }
    }

    /** Sends one normal request and returns how long its answer took; it must be 200. */
    private static long timed(URI base, String path, Map<String, String> headers) throws IOException {
        long t0 = System.nanoTime();
        RawHttp.Response r = RawHttp.send(base, "GET", path, headers, null, Duration.ofSeconds(120));
        long nanos = System.nanoTime() - t0;
        assertEquals(200, r.status(), base + path + ": " + r.text());
        return nanos;
    }

    /** A client that sends the start of a request, then one byte every 2 s, until the server closes the connection. */
    private static final class Trickler extends Thread {
        final String head;
        final CountDownLatch closed = new CountDownLatch(1);
        final AtomicInteger answered = new AtomicInteger(-1);
        /** Whether it was the server that ended the connection (not this client giving up). */
        volatile boolean byServer;
        private final URI base;

        Trickler(URI base, String head) {
            this.base = base;
            this.head = head.length() > 60 ? head.substring(0, 60) : head;
            setDaemon(true);
            setName("slow-client");
            this.full = head;
        }

        private final String full;

        @Override
        public void run() {
            try (Socket s = new Socket(base.getHost(), base.getPort())) {
                s.setSoTimeout(2_000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                out.write(full.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                long end = System.nanoTime() + Duration.ofSeconds(HttpLimits.REQUEST_TIMEOUT_S + 90L).toNanos();
                while (System.nanoTime() < end) {
                    try {
                        byte[] got = in.readNBytes(12);
                        if (got.length >= 12) {
                            // an answer before the request was complete (a 4xx, say); then the close
                            answered.set(Integer.parseInt(new String(got, 9, 3, StandardCharsets.ISO_8859_1)));
                            in.readAllBytes();
                        }
                        byServer = true;
                        return; // end of stream: the server closed it
                    } catch (SocketTimeoutException quiet) {
                        out.write('1');
                        out.flush();
                    }
                }
            } catch (IOException e) {
                byServer = true; // reset or broken pipe: the server closed it
            } finally {
                closed.countDown();
            }
        }
    }
}
